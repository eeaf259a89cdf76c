"""Console alarms in real Chromium: an NTP server hours off raises the
``ntp.offset`` alarm, shown at the top of the console; an alarm whose text is
markup is shown as text (alarms.js builds the DOM with textContent)."""

from __future__ import annotations

import re

from conductor_testkit import TOKEN, FakeNtpServer




def test_alarms_are_shown_as_text_and_resolve(browser, conductor_server, artifacts):
    ntp = FakeNtpServer(offset_s=-3 * 3600).start()
    try:
        srv = conductor_server(ntp_hosts=[ntp.host], ntp_interval_s=600)
        assert srv.app.state.ntp.wait_first(15)
        ctx = browser.new_context(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{srv.url}/console#token={TOKEN}")
        page.wait_for_selector("#alarms-panel:not([hidden]) li.alarm.critical.active[data-key='ntp.offset']",
                               timeout=20_000)
        text = page.inner_text("#alarms")
        assert "CRITICAL · ntp.offset" in text and "not applied" in text
        assert re.search(r"off by -10(799|800)\.\d{3} s", text), text  # 3 h, to the measurement's error
        hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
        srv.conductor.alarms.raise_("test.hostile", "warning", hostile)
        page.wait_for_selector("li.alarm[data-key='test.hostile']", timeout=20_000)
        assert hostile in page.inner_text("li.alarm[data-key='test.hostile'] p")
        assert page.evaluate("document.querySelectorAll('#alarms img, #alarms script').length") == 0
        assert page.evaluate("window.pwned === undefined")
        page.screenshot(path=str(artifacts / "console-alarms.png"), full_page=True)
        ntp.offset_s = 0.2  # the NTP server is fixed: the next round clears the alarm
        srv.app.state.ntp.poll_once()
        page.wait_for_selector("li.alarm.resolved[data-key='ntp.offset']", timeout=20_000)
        assert "resolved" in page.inner_text("li.alarm[data-key='ntp.offset']")
        assert not errors, errors
        ctx.close()
    finally:
        ntp.stop()


