"""A phone refused with ``unavailable`` (the conductor cannot write a newcomer:
disk full) shows why, reconnects by itself (close 1013) and, once the
conductor can write again, joins and the error goes away.  The refusal is
injected in-process (the real full disk is tests/conductor/test_diskfull.py);
what is tested here is the page in real Chromium."""

from __future__ import annotations

from conductor.persist import StoreUnavailable

from .conftest import PHONE


def test_refused_newcomer_retries_and_joins(browser, conductor_server):
    srv = conductor_server()
    persist = srv.conductor.persist
    real = persist.add_participant
    refused = []

    def full_then_fixed(*args):
        if len(refused) < 3:
            refused.append(args[0])
            raise StoreUnavailable("cannot write the state file: database or disk is full (SQLITE_FULL)")
        return real(*args)

    persist.add_participant = full_then_fixed
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url + "/")
    page.wait_for_selector("#join-button")
    page.click("#join-button")
    page.wait_for_function("() => window.flashmob && window.flashmob.report().error", timeout=15_000, polling=20)
    assert "cannot register new participants" in page.evaluate("window.flashmob.report().error")
    page.wait_for_function("() => window.flashmob.st.pid && !window.flashmob.report().error", timeout=20_000)
    assert len(refused) == 3
    pid = page.evaluate("window.flashmob.st.pid")
    assert pid in srv.conductor.registry.known and not set(refused) & set(srv.conductor.registry.known)
    assert page.is_hidden("#error")
    assert not errors, errors
    ctx.close()
