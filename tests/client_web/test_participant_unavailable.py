"""A phone whose seat cannot be stored (``unavailable``: the conductor cannot
write, disk full) shows why, reconnects by itself (close 1013), answers its
challenge again and, once the conductor can write again, holds its seat and
the error goes away.  The refusal is
injected in-process (the real full disk is tests/conductor/test_diskfull.py);
what is tested here is the page in real Chromium."""

from __future__ import annotations

import sqlite3

from .conftest import PHONE


def report_group(page):
    return page.evaluate("window.flashmob.report().group")


def test_unstored_seat_retries_and_confirms(browser, conductor_server):
    srv = conductor_server()
    store = srv.conductor.store  # written by the store writer thread (conductor/persist.py)
    real = store.add_participant
    refused = []

    def full_then_fixed(show_id, pid, *args):
        if len(refused) < 3:
            refused.append(pid)
            raise sqlite3.OperationalError("database or disk is full")
        return real(show_id, pid, *args)

    store.add_participant = full_then_fixed
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/")
    page.wait_for_selector("#join-button")
    page.click("#join-button")
    page.wait_for_function("() => window.flashmob && window.flashmob.report().error", timeout=15_000, polling=20)
    assert "cannot confirm seats" in page.evaluate("window.flashmob.report().error")
    page.wait_for_function("() => window.flashmob.report().seat === 'confirmed' && !window.flashmob.report().error",
                           timeout=30_000)
    assert len(refused) == 3
    pid = page.evaluate("window.flashmob.st.pid")
    assert set(refused) == {pid}  # the same phone, answering again after each reconnection
    assert pid in srv.conductor.registry.seats.confirmed
    assert srv.conductor.store.participants(srv.conductor.bundle.show_id) == {pid: report_group(page)}
    assert page.is_hidden("#error")
    assert not errors, errors
    ctx.close()
