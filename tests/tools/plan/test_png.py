import io

import pytest
from PIL import Image, ImageFont

from flashmob.tools.plan.layout import layout
from flashmob.tools.plan.png import SCALE, font, font_path, to_image, write_png


@pytest.fixture(scope="module")
def demo_layout(demo):
    return layout(demo, "Apéro géant à Besançon & <friends>")


@pytest.fixture(scope="module")
def demo_image(demo_layout):
    return to_image(demo_layout)


def test_size_is_the_layout_at_scale_two(demo_layout, demo_image):
    assert SCALE == 2
    assert demo_image.size == (round(demo_layout.width * 2), round(demo_layout.height * 2))
    assert demo_image.mode == "RGB"


def test_every_lane_has_drawing_in_it(demo_layout, demo_image):
    for lane in demo_layout.lanes:
        for box in lane.boxes:
            crop = demo_image.crop((int(box.x * 2) + 20, int(box.y * 2), int(box.right * 2), int(box.bottom * 2)))
            colours = crop.getcolors(maxcolors=1_000_000)
            assert len(colours) > 20                              # not just the lane tint
            r, g, b = bytes.fromhex(lane.colour[1:])
            assert any(abs(cr - r) + abs(cg - g) + abs(cb - b) < 30 for _, (cr, cg, cb) in colours)


def test_meeting_bands_are_painted(demo_layout, demo_image):
    m = demo_layout.meetings[0]
    lane = demo_layout.lanes[0]
    y = int((lane.boxes[0].y + 3) * 2)                           # above labels and shapes
    inside = demo_image.getpixel((int(m.x * 2), y))
    outside = demo_image.getpixel((int((m.x + 40) * 2), y))
    assert inside != outside and inside[0] > inside[2]           # amber over the tint


def test_written_file_opens_with_pillow(demo_layout, tmp_path):
    path = tmp_path / "plan.png"
    write_png(demo_layout, path)
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (3200, round(demo_layout.height * 2))


def test_font_is_scalable_and_has_accents():
    f = font(22, bold=True)
    assert isinstance(f, ImageFont.FreeTypeFont)
    assert f.getlength("é") > 0 and f.getlength("Besançon") > f.getlength("Besancon") * 0.9
    assert font_path(False) is None or font_path(False).lower().endswith((".ttf", ".ttc"))


def test_long_show_renders(long_show):
    lay = layout(long_show, "Long")
    img = to_image(lay, scale=1)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert img.size == (round(lay.width), round(lay.height)) and buf.tell() > 10_000


def test_builtin_font_is_the_fallback(monkeypatch):
    import flashmob.tools.plan.png as png
    monkeypatch.setattr(png, "font_path", lambda bold: None)
    png.font.cache_clear()
    try:
        f = png.font(20)
        assert isinstance(f, ImageFont.FreeTypeFont) and f.getlength("Besançon") > 0
    finally:
        png.font.cache_clear()
