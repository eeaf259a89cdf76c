"""conductor/fastwire.py: the sync fast path says what the general parser and writer say."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashmob.conductor import fastwire
from flashmob.conductor import messages as m
from flashmob.conductor.session import ConsoleSession, ParticipantSession
from flashmob.conductor.sync import PendingReply

SAFE = 2**53


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=-SAFE - 5, max_value=SAFE + 5), st.integers(min_value=-SAFE - 5, max_value=SAFE + 5))
def test_the_clients_form_parses_as_the_general_parser_does(i, t0):
    text = json.dumps({"type": "sync", "id": i, "t0": t0}, separators=(",", ":"))
    fast = fastwire.parse_sync(text)
    try:
        general = m.parse(text, "participant")
    except m.ProtocolError:
        assert fast is None  # refused values go the general way, and get its error
        return
    assert fast == general and type(fast) is m.Sync


@pytest.mark.parametrize("text", [
    '{"type": "sync", "id": 1, "t0": 2}',          # spaces
    '{"id":1,"type":"sync","t0":2}',               # another order
    '{"type":"sync","id":1,"t0":2,"x":3}',          # an extra field
    '{"type":"sync","id":01,"t0":2}',               # not JSON
    '{"type":"sync","id":1.0,"t0":2}', '{"type":"sync","id":true,"t0":2}',
    '{"type":"sync","id":-1,"t0":2}',               # below the minimum
    '{"type":"sync","id":1,"t0":90071992547409930}',  # beyond 2**53
    '{"type":"sync","id":1}', '{"type":"syncx","id":1,"t0":2}', ' {"type":"sync","id":1,"t0":2}',
])
def test_anything_else_goes_the_general_way(text):
    assert fastwire.parse_sync(text) is None


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=SAFE), st.integers(min_value=-SAFE, max_value=SAFE),
       st.integers(min_value=0, max_value=SAFE), st.integers(min_value=0, max_value=SAFE))
def test_the_reply_template_writes_what_to_wire_writes(i, t0, t1, t2):
    assert PendingReply(id=i, t0=t0, t1=t1).render(lambda: t2) == m.to_wire(m.SyncReply(id=i, t0=t0, t1=t1, t2=t2))


class _Core:
    served = True


def test_sessions_take_the_fast_path_only_where_the_general_one_answers_sync():
    phone = ParticipantSession(_Core(), 1, hello_timeout_s=None)
    out = phone.handle('{"type":"sync","id":3,"t0":5}', 10)
    assert out == [PendingReply(id=3, t0=5, t1=10)]
    console = ConsoleSession(_Core(), 2, auth_timeout_s=1.0)
    refused = console.handle('{"type":"sync","id":3,"t0":5}', 10)  # not authenticated: refused and closed
    assert json.loads(refused[0])["code"] == m.UNAUTHORIZED
