import pytest

from flashmob.tools.plan.metrics import ELLIPSIS, SAFETY, clean, fit_text, text_width

LIBERATION = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"


def test_width_scales_with_size_and_length():
    assert text_width("abc", 20) == pytest.approx(2 * text_width("abc", 10))
    assert text_width("abcd", 10) > text_width("abc", 10)
    assert text_width("", 10) == 0


def test_accented_letters_are_as_wide_as_their_base_letter():
    assert text_width("Apéro géant à Besançon", 12) == pytest.approx(text_width("Apero geant a Besancon", 12))


def test_bold_and_wide_characters_are_wider():
    assert text_width("Reds", 14, bold=True) > text_width("Reds", 14)
    assert text_width("合唱", 10) > text_width("ab", 10)


@pytest.mark.parametrize("bold", [False, True])
def test_estimates_cover_the_png_font(bold):
    """Whatever font the PNG writer finds on this machine (a Helvetica clone, or the
    bundled DejaVu Sans, which is wider), text drawn with it fits the estimate."""
    from flashmob.tools.plan.png import font

    f = font(100, bold)
    for s in ("Welcome to the demo flashmob.", "Apéro géant à Besançon & <friends>", "0:00 1:10 2:50", "WWW mmm iii",
              "Reds walk to the fountain, Blues to the statue"):
        assert f.getlength(s) <= text_width(s, 100, bold=bold) * SAFETY * 1.01


def test_the_bundled_font_is_shrunk_to_the_estimates():
    from PIL import ImageFont

    from flashmob.tools import fonts
    from flashmob.tools.plan import png

    dejavu = ImageFont.truetype(fonts.REGULAR, 100)
    assert dejavu.getlength("Welcome to the demo flashmob.") > text_width("Welcome to the demo flashmob.", 100)
    png.font_path.cache_clear(); png._fit_ratio.cache_clear(); png.font.cache_clear()
    orig = png.font_path
    try:
        png.font_path = lambda bold: fonts.BOLD if bold else fonts.REGULAR
        png._fit_ratio.cache_clear()
        assert 0.8 < png._fit_ratio(False) < 1.0
    finally:
        png.font_path = orig
        png._fit_ratio.cache_clear(); png.font.cache_clear()


def test_fit_text_keeps_text_that_fits():
    assert fit_text("Stop.  Turn\nround", 500, 11) == "Stop. Turn round"
    assert clean("  a \t b ") == "a b"


def test_fit_text_truncates_with_an_ellipsis_within_the_width():
    text = "Walk to the middle and greet someone from the other group."
    for width in (40, 80, 120, 200):
        out = fit_text(text, width, 11)
        assert out is not None and out.endswith(ELLIPSIS)
        assert text_width(out, 11) <= width
        assert text.startswith(out[:-1])


def test_fit_text_prefers_a_word_boundary():
    assert fit_text("Walk to the middle and greet", text_width("Walk to the midd", 11), 11) == "Walk to the" + ELLIPSIS


def test_fit_text_gives_up_below_min_chars():
    assert fit_text("Welcome everybody", 12, 11, min_chars=4) is None
    assert fit_text("3", 12, 11, min_chars=4) == "3"
