"""QR generation: every output decodes, with a real decoder, to the exact text."""

import io

import pytest
from PIL import Image

from flashmob.tools.print.qr import ERROR_CORRECTION, QUIET_ZONE, qr_matrix, qr_png, qr_svg

from .conftest import decode_all

URLS = [
    "https://mob.example.org/",
    "https://mob.example.org/?g=red&k=8wq1dK0mVbL2cP9sXyZ3aQ&p=%40jos%C3%A9",
    "https://mob.example.org/bundle/29cd1cf2be264ad9/groups/a-very-long-group-name.mp3",
    "Apéro géant à Besançon — Флешмоб",
]


@pytest.mark.parametrize("url", URLS)
def test_png_decodes_to_the_exact_text(url):
    import zxingcpp

    img = Image.open(io.BytesIO(qr_png(url)))
    results = zxingcpp.read_barcodes(img.convert("L"))
    assert [r.text for r in results] == [url]
    assert results[0].ec_level == ERROR_CORRECTION == "Q"


@pytest.mark.parametrize("url", URLS[:2])
def test_svg_rendered_by_resvg_decodes(url):
    import resvg_py

    png = bytes(resvg_py.svg_to_bytes(svg_string=qr_svg(url), dpi=150))
    assert decode_all(png) == [url]


def test_quiet_zone_is_four_white_modules_all_round():
    m = qr_matrix(URLS[1])
    n = m.size
    for i in range(QUIET_ZONE):
        assert not any(m.rows[i]) and not any(m.rows[n - 1 - i])
        assert not any(row[i] for row in m.rows) and not any(row[n - 1 - i] for row in m.rows)
    assert any(m.rows[QUIET_ZONE])  # the finder pattern starts right after


def test_png_quiet_zone_pixels_are_white():
    img = Image.open(io.BytesIO(qr_png(URLS[0], module_px=10))).convert("L")
    w, _ = img.size
    band = img.crop((0, 0, w, QUIET_ZONE * 10))
    assert band.getextrema() == (255, 255)


def test_personal_urls_stay_small_enough_for_badges():
    typical = "https://mob.example.org/?g=rouges&k=8wq1dK0mVbL2cP9sXyZ3aQ&p=%40nastya_k"
    assert qr_matrix(typical).version <= 6  # 41 modules: 0.7 mm each on a 34 mm badge code
    long = "https://flashmob.example-association.org/?g=group_with_long_id&k=8wq1dK0mVbL2cP9sXyZ3aQ&p=" + "x" * 32
    assert qr_matrix(long).version <= 9


def test_runs_cover_exactly_the_dark_modules():
    m = qr_matrix(URLS[1])
    dark = {(y, x) for y, row in enumerate(m.rows) for x, v in enumerate(row) if v}
    covered = {(y, x + i) for y, x, n in m.runs() for i in range(n)}
    assert covered == dark


def test_outputs_are_deterministic_and_svg_is_standalone():
    assert qr_png(URLS[1]) == qr_png(URLS[1])
    svg = qr_svg("a<b&c")
    assert svg == qr_svg("a<b&c")
    assert svg.startswith("<?xml") and 'fill="#fff"' in svg and "<title>a&lt;b&amp;c</title>" in svg
    assert "href" not in svg


def test_empty_text_is_refused():
    with pytest.raises(ValueError):
        qr_matrix("")
