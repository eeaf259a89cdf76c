"""Failures are visible: a phone that cannot play by itself says what to do, and the console counts it.

Real causes, in real engines: WebKit whose GStreamer has no MP3 decoder
(``mpg123audiodec`` ranked NONE: decodebin never picks it, as on a system
without gstreamer1.0-plugins-good); a bundle whose segments verify but are
not audio (Chromium); Firefox without a sound server (its AudioContext stays
suspended forever, without an error).
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from .conftest import require_engine

NO_MP3_DECODER = {"GST_PLUGIN_FEATURE_RANK": "mpg123audiodec:NONE"}


def join_and_tap(ph):
    ph.page.click("#join-button", 20)
    ph.page.wait_for("window.flashmob.report().verified", 30)
    ph.page.click("#enable-sound")


def wait_trouble(ph, reason, timeout_s=15):
    ph.page.wait_for(f"window.flashmob.report().trouble === {reason!r}", timeout_s)
    ph.page.wait_for_selector("#trouble", 5)


def feed_trouble(console, want, timeout_s=10):
    deadline = time.monotonic() + timeout_s
    while (feed := console.expect("feed", timeout=timeout_s))["trouble"] != want:
        assert time.monotonic() < deadline, feed["trouble"]
    return feed


def press_at_seconds(text):
    """The HH:MM:SS in the page's "press play at exactly ..." sentence, as seconds of the day."""
    m = re.search(r"(\d{1,2}):(\d{2}):(\d{2})(\s*[AP]M)?", text)
    assert m, text
    h, mi, s = map(int, m.groups()[:3])
    if m.group(4):  # a 12-hour locale
        h = h % 12 + (12 if "P" in m.group(4) else 0)
    return h * 3600 + mi * 60 + s


def test_webkit_without_mp3_decoder_tells_the_person_what_to_do(conductor_server, phones, artifacts):
    require_engine("webkit")
    srv = conductor_server()
    console = srv.console()
    ph = phones("webkit", srv, path="/?probe=1", env_extra=NO_MP3_DECODER)
    join_and_tap(ph)
    wait_trouble(ph, "decode")
    assert "décoder" in ph.page.text("#trouble-why")
    href = ph.page.evaluate("document.getElementById('trouble-mp3').href")
    assert href.endswith(".mp3") and "/show.mp3" in href, href
    # without an MP3 decoder the <audio> player cannot play it either: not offered
    assert ph.page.evaluate("document.createElement('audio').canPlayType('audio/mpeg')") == ""
    assert ph.page.evaluate("document.getElementById('trouble-media').hidden") is True
    assert "programmé" in ph.page.text("#trouble-when")
    feed_trouble(console, {"decode": 1})
    console.send({"type": "arm", "in_ms": 20_000, "ref": "go"})
    start = console.expect("ack", ref="go")["show"]["start_at_us"]
    ph.page.wait_for("document.getElementById('trouble-when').innerText.includes(':')", 5)
    when = ph.page.text("#trouble-when")
    ph.page.screenshot(artifacts / "webkit-trouble-no-decoder.png")
    local = datetime.fromtimestamp(start / 1e6)
    want = local.hour * 3600 + local.minute * 60 + local.second
    print(f"webkit without decoder: {when!r}; start {local.time()}")
    assert abs(press_at_seconds(when) - want) <= 1, (when, local.time())


def test_undecodable_segments_offer_the_simple_player_which_plays(conductor_server, phones, undecodable_segments_bundle,
                                                                   artifacts):
    srv = conductor_server(bundle_dir=undecodable_segments_bundle)
    console = srv.console()
    ph = phones("chromium", srv, path="/?probe=1")
    join_and_tap(ph)
    wait_trouble(ph, "decode")
    assert ph.page.evaluate("document.getElementById('trouble-media').hidden") is False
    feed_trouble(console, {"decode": 1})
    ph.page.screenshot(artifacts / "chromium-trouble-decode.png")
    # the organizer sees it
    from conductor_testkit import TOKEN

    cons = phones("chromium", srv, path=f"/console#token={TOKEN}", pulse=False)
    cons.page.wait_for("document.getElementById('trouble').innerText.includes('1 phone in trouble')", 15)
    assert "cannot decode the audio" in cons.page.text("#trouble")
    cons.page.screenshot(artifacts / "console-trouble.png")
    ph.page.click("#trouble-media")
    ph.page.wait_for("window.flashmob.report().engine === 'media' && window.flashmob.report().trouble === null", 10)
    ph.page.wait_for("document.getElementById('trouble').hidden", 5)
    feed_trouble(console, {})
    cons.page.wait_for("document.getElementById('trouble').hidden", 10)
    console.send({"type": "arm", "in_ms": 3000, "ref": "go"})
    start = console.expect("ack", ref="go")["show"]["start_at_us"]
    ph.page.wait_for("document.body.dataset.screen === 'play'", 10)
    time.sleep(1.5)
    pos, now = ph.page.evaluate("document.getElementById('fallback-audio').currentTime"), srv.conductor.now()
    print(f"simple player after decode trouble: position {pos:.3f} s, expected {(now - start) / 1e6:.3f} s")
    assert abs(pos - (now - start) / 1e6) < 0.3
    # the choice survives a reload (one tap to rejoin, as any reload without a running context)
    ph.page.reload()
    ph.page.click("#rejoin-button", 15)
    ph.page.wait_for("window.flashmob.report().engine === 'media'", 10)
    print("console errors:", ph.page.console_errors())


def test_firefox_without_sound_server_says_sound_did_not_start(conductor_server, phones):
    require_engine("firefox")
    srv = conductor_server()
    console = srv.console()
    ph = phones("firefox", srv, path="/", pulse=False, env_extra={"PULSE_SERVER": "unix:/nonexistent/pulse"})
    join_and_tap(ph)
    wait_trouble(ph, "start", 20)
    assert ph.report()["ctxState"] != "running"
    assert ph.page.evaluate("document.getElementById('trouble-media').hidden") is False
    feed_trouble(console, {"start": 1})
