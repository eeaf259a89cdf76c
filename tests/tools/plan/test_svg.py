import xml.etree.ElementTree as ET

import pytest

from flashmob.tools.plan.layout import layout
from flashmob.tools.plan.svg import escape, num, to_svg

NS = {"s": "http://www.w3.org/2000/svg"}
TITLE = "Apéro géant à Besançon & <friends>"


@pytest.fixture(scope="module")
def demo_svg(demo):
    return to_svg(layout(demo, TITLE))


@pytest.fixture(scope="module")
def root(demo_svg):
    return ET.fromstring(demo_svg.encode("utf-8"))


def test_standalone_svg_document(demo_svg, root):
    assert demo_svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "href" not in demo_svg and "@import" not in demo_svg and "url(" not in demo_svg
    assert "sans-serif" in root.get("font-family")
    assert float(root.get("width")) == 1600


def test_title_is_escaped_and_round_trips(demo_svg, root):
    assert root.find("s:title", NS).text == TITLE
    assert "&amp; &lt;friends&gt;" in demo_svg and "& <friends>" not in demo_svg
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert TITLE in texts


def test_one_lane_per_group_with_its_colour(demo, root):
    lanes = root.findall(".//s:g[@class='lane']", NS)
    assert [g.get("data-group") for g in lanes] == [g.group.id for g in demo.groups]
    for g, lane in zip(demo.groups, lanes):
        accents = lane.findall("s:rect[@class='lane-accent']", NS)
        assert accents and {a.get("fill") for a in accents} == {g.group.colour}


def test_one_shape_group_per_event(demo, root):
    for g in demo.groups:
        lane = root.find(f".//s:g[@class='lane'][@data-group='{g.group.id}']", NS)
        events = lane.findall("s:g[@data-event]", NS)
        assert sorted(e.get("data-event") for e in events) == sorted(e.id for e in g.events)
        kinds = {e.id: e.kind for e in g.events}
        for e in events:
            assert e.get("data-kind") == kinds[e.get("data-event")]
            assert e.get("class").startswith("event ")
            assert e.find("s:title", NS).text and len(e) >= 2        # tooltip + at least one shape


def test_meeting_bands_at_the_meeting_times(demo, root):
    lay = layout(demo, TITLE)
    span = lay.systems[0]
    bands = root.findall(".//s:rect[@class='meeting']", NS)
    assert [int(b.get("data-time-us")) for b in bands] == list(demo.meetings_us)
    for b in bands:
        centre = float(b.get("x")) + float(b.get("width")) / 2
        assert centre == pytest.approx(span.x(int(b.get("data-time-us"))), abs=0.01)
    assert float(root.find(".//s:g[@class='meetings']", NS).get("opacity")) < 1


def test_escape_handles_markup_quotes_and_control_characters():
    assert escape('a & b <c> "d" \'e\'') == "a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;"
    assert escape("bell\x07 tab\tok") == "bell tab\tok"
    ET.fromstring(f"<t a=\"{escape(chr(1) + '<&>' + chr(0x1F))}\">{escape('é & ü')}</t>")


def test_numbers_are_compact():
    assert num(12.0) == "12" and num(3.14159) == "3.14" and num(-0.001) == "0"


def test_long_show_svg_parses(long_show):
    root = ET.fromstring(to_svg(layout(long_show, "Long & <long>")).encode())
    assert len(root.findall(".//s:g[@class='lane']", NS)) == len(long_show.groups)
