"""Issue 13, defect 2: a ``show:``-only caption stays on the phone for its whole span.

The demo's "Look around…" cue has no audio of its own (its event span is
empty); the caption rule (contract/captions.py) holds it until the next
caption, at 30 s. The really rendered demo is served by a real conductor; one
phone (Playwright Chromium) joins and the show is armed; the page's own DOM
(``#caption``) is sampled in the page every 40 ms, each sample stamped with the
show position from the page's synchronized clock. The caption must be on screen
at every sample of its span (bar one render tick, 100 ms, at each edge) and gone
after it.
"""

from __future__ import annotations

import json

from .test_participant import arm, join_and_ready, open_phone, wait_for

TICK_MS = 100  # the page renders every 100 ms
SAMPLER = """async ([fromMs, toMs]) => {
  const st = window.flashmob.st, clock = window.flashmob.clock;
  const pos = () => (clock.serverTime() - st.show.start_at_us) / 1000;
  const out = [];
  while (pos() < toMs) {
    const p = pos();
    if (p >= fromMs) out.push([p, document.body.dataset.screen, document.getElementById('caption').textContent]);
    await new Promise((r) => setTimeout(r, 40));
  }
  return out;
}"""


def test_show_only_caption_stays_on_screen_for_its_whole_span(browser, conductor_server, demo_bundle):
    manifest = json.loads((demo_bundle / "manifest.json").read_text(encoding="utf-8"))
    srv = conductor_server(bundle_dir=demo_bundle)
    ctx, page = open_phone(browser, srv.url + "/", locale="en-US")
    try:
        join_and_ready(page)
        group = page.evaluate("window.flashmob.report().group")
        look = next(c for g in manifest["groups"] if g["id"] == group for c in g["cues"] if c["id"] == "look")
        assert look["end_ms"] == look["start_ms"] == 25_000  # no audio of its own
        start, end = look["start_ms"], look["caption_end_ms"]
        assert end == 30_000  # held until the next caption
        console = srv.console()
        arm(console, 3000)
        wait_for(page, "document.body.dataset.screen === 'play'", 15)
        samples = page.evaluate(SAMPLER, [start - 1500, end + 1500])
    finally:
        ctx.close()
    text = look["text"]
    inside = [(p, s, t) for p, s, t in samples if start + TICK_MS + 50 <= p < end - TICK_MS - 50]
    after = [(p, s, t) for p, s, t in samples if p >= end + TICK_MS + 50]
    before = [(p, s, t) for p, s, t in samples if p < start - 50]
    # sampled through the whole span: at least every half second
    positions = [p for p, _, _ in inside]
    assert positions and positions[0] < start + 400 and positions[-1] > end - 400
    assert max(b - a for a, b in zip(positions, positions[1:])) < 500
    missing = [(round(p), s, t) for p, s, t in inside if s != "play" or t != text]
    assert not missing, f"the caption left the screen within its span: {missing[:5]}"
    assert after and all(t != text for _, _, t in after), "the caption stays after its span"
    assert before and all(t != text for _, _, t in before)
