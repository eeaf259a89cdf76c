"""tools/print/planpdf.py: the plan painted into a PDF as vectors and real text."""

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from flashmob.tools.plan import layout
from flashmob.tools.plan.shapes import Text
from flashmob.tools.print import pdfkit
from flashmob.tools.print.planpdf import draw_plan, fit_ratio
from flashmob.tools.score import compile_score, load_score

from .conftest import ROOT


def _pdf_of(lay, h=250):
    pdf = pdfkit.new_document("plan", "en")
    pdf.add_page()
    used = draw_plan(pdf, lay, 10, 20, 190, h)
    return pdfkit.finish(pdf), used


def _objects(data):
    doc = pdfium.PdfDocument(data)
    kinds = [o.type for o in doc[0].get_objects(max_depth=5)]
    return doc, kinds


def test_vector_shapes_and_extractable_text():
    score = load_score(str(ROOT / "scores/demo.yaml"))
    lay = layout(compile_score(score), score.title, 900)
    data, used = _pdf_of(lay)
    assert abs(used - lay.height * 190 / 900) < 1e-6
    doc, kinds = _objects(data)
    assert raw.FPDF_PAGEOBJ_IMAGE not in kinds
    assert kinds.count(raw.FPDF_PAGEOBJ_PATH) > 50
    shapes = list(lay.over) + [s for lane in lay.lanes for s in lane.frame]
    texts = [s.text for s in shapes if isinstance(s, Text)]
    page_text = doc[0].get_textpage().get_text_range()
    for t in texts:
        assert t in page_text, t
    assert b"/FontFile2" in data  # DejaVu embedded


def test_a_tall_plan_is_scaled_to_the_box():
    score = load_score(str(ROOT / "scores/agitato.yaml"))
    lay = layout(compile_score(score), score.title, 900)
    assert lay.height * 190 / 900 > 200  # would not fit at full width
    _, used = _pdf_of(lay, 200)
    assert abs(used - 200) < 1e-6


def test_text_is_shrunk_to_the_layout_estimates():
    pdf = pdfkit.new_document("x", "en")
    assert 0.8 < fit_ratio(pdf, False) <= 1.0 and 0.8 < fit_ratio(pdf, True) <= 1.0
    pdfkit.close_fonts(pdf)
