"""The plain Playwright ``browser`` fixture and helpers still work (tests that need Playwright's
own tools use them, e.g. test_hostile_bundle's init scripts): one phone joins and gets ready."""

from .conftest import PHONE
from .test_participant import join_and_ready, wait_for


def test_playwright_phone_joins_and_gets_ready(browser, conductor_server):
    srv = conductor_server()
    ctx = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(srv.url + "/")
    join_and_ready(page)
    wait_for(page, "window.flashmob.report().group !== null")
    ctx.close()
