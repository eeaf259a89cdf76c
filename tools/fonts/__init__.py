"""Fonts shipped with flashmob: DejaVu Sans (regular, bold), which covers
Latin with accents, Greek and Cyrillic, so covers, plans and printed matter
render "Apéro géant à Besançon" correctly on any machine. Licence:
LICENSE_DEJAVU (Bitstream Vera / DejaVu terms: free redistribution)."""

from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))
REGULAR = os.path.join(HERE, "DejaVuSans.ttf")
BOLD = os.path.join(HERE, "DejaVuSans-Bold.ttf")


def pil_font(size: int, bold: bool = False):
    """A Pillow FreeType font of DejaVu Sans at ``size`` pixels."""
    from PIL import ImageFont

    return ImageFont.truetype(BOLD if bold else REGULAR, size)
