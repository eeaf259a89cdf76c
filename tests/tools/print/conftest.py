"""Fixtures for the print tests: small hand-made show bundles and QR decoding.

Bundles are built with the renderer's own manifest builder
(``tools.render.manifest.build_manifest``) from a compiled score, with small
fake MP3/caption/cover files, so their manifest has exactly the renderer's
shape and the conductor's ``load_bundle`` accepts them.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from flashmob.contract.safety import SAFETY_FILE, safety_json
from flashmob.tools.render.manifest import FileFact, GroupFacts, build_manifest, safety_record
from flashmob.tools.score import compile_score, load_score

ROOT = Path(__file__).resolve().parents[3]
PUBLIC = "https://mob.example.org"
SECRET = "test-group-secret-0123456789abcdef"


def _fact(root: Path, rel: str, data: bytes) -> FileFact:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return FileFact(rel, len(data), hashlib.sha256(data).hexdigest())


def make_bundle(root: Path, score: str = "scores/demo.yaml", *, safety: bool = True, **overrides) -> Path:
    """A bundle folder at ``root``; ``overrides`` replace top-level manifest keys
    (``title``, ``event``, ``organizer``, ``language``...). The score's ``safety`` block
    is written to the private safety file as the renderer does (unless ``safety=False``)."""
    sc = load_score(str(ROOT / score))
    timeline = compile_score(sc)
    facts = {}
    for g in sc.groups:
        mp3 = _fact(root, f"groups/{g.id}.mp3", b"ID3\x04" + g.id.encode() * 1000)
        _fact(root, f"groups/{g.id}.vtt", b"WEBVTT\n")
        _fact(root, f"groups/{g.id}.png", b"\x89PNG")
        facts[g.id] = GroupFacts(g.id, mp3, (), f"groups/{g.id}.vtt", f"groups/{g.id}.png", -16.0, -1.0)
    manifest = build_manifest(sc, timeline, facts, "0123456789abcdef", {g.id: [] for g in sc.groups}, {})
    manifest.update(overrides)
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    if sc.safety is not None and safety:  # as the renderer writes it (tools/render/bundle.py)
        (root / SAFETY_FILE).write_text(json.dumps(safety_json(safety_record(sc.safety)), ensure_ascii=False),
                                        encoding="utf-8")
    return root


@pytest.fixture
def bundle(tmp_path) -> Path:
    return make_bundle(tmp_path / "bundle")


@pytest.fixture
def french_bundle(tmp_path) -> Path:
    return make_bundle(tmp_path / "agitato", "scores/agitato.yaml", title="Apéro géant à Besançon")


def decode_all(image) -> list[str]:
    """Every QR code zxing-cpp finds in a PIL image (or PNG bytes), as text."""
    import zxingcpp
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_pages(data: bytes, dpi: int = 110):
    """The pages of a PDF rendered to PIL images (pdfium)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(bytes(data))
    return [page.render(scale=dpi / 72).to_pil() for page in doc]


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(bytes(data))
    return [page.get_textpage().get_text_range() for page in doc]


def char_boxes_mm(data: bytes, page_index: int = 0):
    """``(char, left, top, right, bottom)`` in millimetres from the top-left of
    the page, for every character PDF text extraction finds on the page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(bytes(data))
    page = doc[page_index]
    height = page.get_height()
    tp = page.get_textpage()
    k = 25.4 / 72
    out = []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if not ch.strip():
            continue
        left, bottom, right, top = tp.get_charbox(i)
        out.append((ch, left * k, (height - top) * k, right * k, (height - bottom) * k))
    return out


def french_info(**event):
    """EventInfo of a French show ("Apéro géant à Besançon"), 13 June 2026 18:30 Paris."""
    from flashmob.tools.print.event import event_info

    ev = {"place": "Place de la Révolution, Besançon", "date": "2026-06-13", "time": "18:30",
          "timezone": "Europe/Paris", "meeting_point": "Devant le musée des Beaux-Arts",
          "bring": "Un téléphone chargé, des écouteurs", "safety": "Gardez les couloirs pompiers libres."}
    ev.update(event)
    return event_info({"show_id": "0123456789abcdef", "title": "Apéro géant à Besançon", "language": "fr",
                       "duration": {"ms": 1_203_000}, "event": ev,
                       "organizer": {"name": "Les Amis de l’Apéro", "contact": "amis@example.org"}})
