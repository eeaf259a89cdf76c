import io

from PIL import Image

from flashmob.tools.render.cover import SIZE, cover_png


def test_cover_is_deterministic_square_png_in_group_colour():
    a = cover_png("Apéro géant à Besançon", "Rouges", "#d32f2f")
    assert a == cover_png("Apéro géant à Besançon", "Rouges", "#d32f2f")
    img = Image.open(io.BytesIO(a))
    assert img.size == (SIZE, SIZE) and img.format == "PNG"
    assert img.getpixel((5, 5)) == (0xd3, 0x2f, 0x2f)
    ink = {img.getpixel((x, y)) for x in range(60, 700, 7) for y in range(60, 200, 7)}
    assert (255, 255, 255) in ink          # white text on a dark colour


def test_light_colours_get_dark_text_and_long_titles_fit():
    img = Image.open(io.BytesIO(cover_png("A very long title " * 8, "Jaunes", "#fbc02d")))
    colours = {img.getpixel((x, y)) for x in range(0, SIZE, 5) for y in range(0, SIZE, 5)}
    assert (17, 17, 17) in colours
    assert all(img.getpixel((SIZE - 3, y)) == (0xfb, 0xc0, 0x2d) for y in range(0, SIZE, 10))  # no overflow
