"""Bluetooth and the manual path, in real Chromium against a real conductor: a phone whose
output is Bluetooth (what ``enumerateDevices`` says: simulated by an init script, there is
no Bluetooth here) says so and offers presets; the preset is applied, reported in the
phone's status and counted by the organizer console's "Audio offsets" panel; the offset is
remembered per output (back on the speaker: none; on the headset again: the preset)."""

from __future__ import annotations

from conductor_testkit import TOKEN

from .test_participant import join_and_ready, open_phone, wait_for

# The page's enumerateDevices() answers what window.__outputs says; devicechange is fired by hand.
FAKE_OUTPUTS = """(() => {
  window.__outputs = [['default', 'Default - Speaker'], ['spk', 'Speaker']];
  const md = navigator.mediaDevices;
  md.enumerateDevices = async () => window.__outputs.map(([id, label]) =>
    ({ kind: 'audiooutput', deviceId: id, groupId: id, label }));
  window.__switchOutput = (outs) => { window.__outputs = outs; md.dispatchEvent(new Event('devicechange')); };
})()"""
HEADSET = [["default", "Default - WH-1000XM4 (Bluetooth)"], ["bt", "WH-1000XM4 (Bluetooth)"], ["spk", "Speaker"]]
SPEAKER = [["default", "Default - Speaker"], ["spk", "Speaker"]]


def test_bluetooth_preset_is_applied_reported_counted_and_remembered_per_output(browser, conductor_server):
    srv = conductor_server()
    ctx, page = open_phone(browser, srv.url + "/")
    page.add_init_script(FAKE_OUTPUTS)
    page.goto(srv.url + "/")
    console_ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    console = console_ctx.new_page()
    try:
        join_and_ready(page)
        assert page.is_hidden("#bluetooth-notice")
        page.evaluate(f"window.__switchOutput({HEADSET!r})")
        page.wait_for_selector("#bluetooth-notice:not([hidden])", timeout=5000)
        page.click("[data-bt-preset='250']")
        wait_for(page, "window.flashmob.report().offset.ms === 250")
        assert page.evaluate("window.flashmob.report().offset") == {"ms": 250, "how": "preset", "output": "bluetooth"}
        assert "250" in page.text_content("#offset-value")
        console.goto(f"{srv.url}/console#token={TOKEN}")
        console.wait_for_function("() => /1 of 1 phones play with an offset/.test("
                                  "document.getElementById('offsets').textContent)", timeout=20_000)
        text = console.inner_text("#offsets")
        assert text == ("1 of 1 phones play with an offset (1 Bluetooth preset): median 250 ms, largest 250 ms. "
                        "1 on Bluetooth."), text
        assert console.inner_text("#offsets-histogram").split() == ["0", "≤20", "ms", "0", "≤50", "ms", "0", "≤100",
                                                                    "ms", "0", "≤200", "ms", "1", "≤400", "ms", "0",
                                                                    ">400", "ms"]
        # back on the speaker: its own offset (none); on the headset again: the preset comes back
        page.evaluate(f"window.__switchOutput({SPEAKER!r})")
        wait_for(page, "window.flashmob.report().offset.ms === 0 && window.flashmob.report().offset.output === 'speaker'")
        assert page.is_hidden("#bluetooth-notice")
        console.wait_for_function("() => /None of 1 phones/.test(document.getElementById('offsets').textContent)",
                                  timeout=20_000)
        page.evaluate(f"window.__switchOutput({HEADSET!r})")
        wait_for(page, "window.flashmob.report().offset.ms === 250")
        # by ear, on top of the preset
        page.click("#screen-wait details summary")
        page.click("#offset-minus")
        wait_for(page, "window.flashmob.report().offset.ms === 240")
        assert page.evaluate("window.flashmob.report().offset.how") == "ear"
        console.wait_for_function("() => /\\(1 by ear\\): median 240 ms/.test("
                                  "document.getElementById('offsets').textContent)", timeout=20_000)
        # a reload keeps the offsets per output
        page.reload()
        wait_for(page, "window.flashmob && window.flashmob.keeper.get('offsets')")
        kept = page.evaluate("window.flashmob.keeper.get('offsets')")
        assert kept["bluetooth:wh-1000xm4 (bluetooth)"]["ms"] == 240, kept
    finally:
        console_ctx.close()
        ctx.close()
