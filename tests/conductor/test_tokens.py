"""flashmob.conductor.tokens: group tokens cannot be forged or moved between groups/shows."""

import pytest

from flashmob.conductor.tokens import GroupSigner, new_console_token, new_secret, same_secret


def test_console_token_compare():
    token = new_console_token()
    assert len(token) >= 32
    assert same_secret(token, token)
    assert not same_secret(token[:-1] + ("A" if token[-1] != "A" else "B"), token)
    assert not same_secret(None, token)
    assert not same_secret("", token)
    assert not same_secret("é", token)  # non-ASCII input does not raise


def test_group_tokens():
    secret = new_secret()
    signer = GroupSigner(secret, "show1")
    red = signer.sign("red")
    assert signer.verify("red", red)
    assert not signer.verify("blue", red)
    assert not signer.verify("red", red[:-1] + ("x" if red[-1] != "x" else "y"))
    assert not signer.verify("red", None)
    assert not GroupSigner(secret, "show2").verify("red", red)
    assert not GroupSigner(new_secret(), "show1").verify("red", red)
    assert GroupSigner(secret, "show1").sign("red") == red  # stable: posters stay valid


def test_short_secret_refused():
    with pytest.raises(ValueError):
        GroupSigner(b"short", "s")


def test_participant_ids_carry_their_group_even_among_1000():
    from flashmob.conductor.tokens import PID_CHARS, GroupSigner, ParticipantIds, new_secret

    groups = tuple(f"g{i}" for i in range(1000))
    signer = GroupSigner(new_secret(), "show")
    ids = ParticipantIds(signer, groups)
    for gid in ("g0", "g517", "g999"):
        pid = ids.new(gid)
        assert len(pid) == PID_CHARS and ids.group_of(pid) == gid
        assert ids.group_of(pid[:-1] + ("a" if pid[-1] != "a" else "b")) is None  # forged mac
        other = pid[:10] + ParticipantIds(signer, groups).new("g1")[10:]  # another id's tag and mac
        assert ids.group_of(other) is None
    assert ParticipantIds(GroupSigner(new_secret(), "show"), groups).group_of(ids.new("g3")) is None
    assert ids.group_of("é" * PID_CHARS) is None and ids.group_of(None) is None and ids.group_of("short") is None
