"""tools/print/dossierpdf.py: the dossier PDF (made through dossierkit), read back with pdfium.

The facts of the score must come back out of the PDF as text (both languages),
the "to complete" list must be there for a show without the optional facts,
the fonts must be embedded and the plan must be vector (no image at all).
"""

import datetime as dt
import re

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from flashmob.tools.print.dossierkit import DossierOptions, make_dossier
from flashmob.tools.print.dossiertexts import EN, FR

from .conftest import make_bundle, pdf_pages, pdf_text
from .test_dossier import BARE

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)


def flat(text: str) -> str:
    """Extracted text with line breaks and (no-break) spaces folded: wrapped lines read as one."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text.replace("\ufffe", "").replace("\x02", ""))


def write(bundle, tmp_path, **opts):
    result = make_dossier(bundle, tmp_path / "out", DossierOptions(now=NOW, **opts))
    data = result.path.read_bytes()
    return result, data, [flat(t) for t in pdf_text(data)]


def test_english_dossier_carries_the_scores_facts(bundle, tmp_path):
    result, data, pages = write(bundle, tmp_path)
    assert result.path.name == "dossier.pdf" and result.to_complete == ()
    text = " ".join(pages)
    for fact in ("Event file for the authorities", "Demo — Two Groups Meet", "Flashmob Demo Crew",
                 "hello@example.org", "Saturday 5 December 2026", "18:00 (Paris time)", "2 min 55 s",
                 "18:02 (Paris time)", "Town square", "By the fountain, north side",
                 "18:00:25: Look around. Find someone wearing your colour.",
                 "200 participants, the organizer's estimate", "6 stewards, Yellow vests",
                 "Sam Rivera, +33 6 00 00 00 01", "Two first-aiders of the Red Cross",
                 "Drinking fountain, north side of the square", "Main Street (north); Market Lane (east)",
                 "Alex Morgan, +33 6 00 00 00 02", "Keep the fire lanes clear",
                 "1,000 phones: 71 ms", "2,000 phones: 252 ms", "5,000 phones: 1,027 ms",
                 "docs/benchmarks.md", "python -m bench.load --phones 1000,2000,3000,5000",
                 "the measured figure that applies is 71 ms",
                 "18:00:08 Reds You are in the red group.", "18:02:55 everyone Thank you! The show is over.",
                 EN["nothing_missing"]):
        assert fact in text, fact
    assert re.search(r"Page 1 / \d", pages[0])


def test_french_dossier_from_the_score_language(french_bundle, tmp_path):
    _, data, pages = write(french_bundle, tmp_path)
    text = " ".join(pages)
    for fact in ("Dossier de la manifestation pour les autorités", "Collectif Agitato (exemple)",
                 "samedi 13 juin 2026", "18:30 (heure de Paris)", "Place de la Mairie, Rennes",
                 "Sur les marches de l’Opéra", "350 participants", "10 bénévoles, Chasubles orange",
                 "Camille Martin (exemple), 06 00 00 00 03", "Protection civile (exemple)",
                 "Rue d’Orléans (ouest); Rue de Brilhac (est)", "Alex Dupont (exemple)",
                 "Messages urgents et arrêt du spectacle", "1 000 téléphones : 71 ms",
                 "Ce qui est demandé aux participants", "Le plan du spectacle", FR["nothing_missing"]):
        assert flat(fact) in text, fact
    assert pdfium.PdfDocument(data).get_metadata_dict().get("Title", "").startswith("Dossier de la")
    plan = next(p for p in pages if "Le plan du spectacle" in p)     # the plan draws its own words in French too
    for word in ("voix", "musique (fondus en pente)", "point de rencontre", "repères"):
        assert word in plan, word
    assert "meeting point" not in plan and "speech" not in plan


def test_lang_option_overrides_the_score(french_bundle, tmp_path):
    _, _, pages = write(french_bundle, tmp_path, language="en")
    assert "Event file for the authorities" in pages[0] and "Saturday 13 June 2026" in " ".join(pages)


def test_missing_facts_are_listed_to_complete(tmp_path):
    score = tmp_path / "bare.yaml"
    score.write_text(BARE, encoding="utf-8")
    result, _, pages = write(make_bundle(tmp_path / "bare", str(score)), tmp_path)
    text = " ".join(pages)
    assert len(result.to_complete) == 7
    assert "7 fact(s) to complete before sending this file" in pages[0]  # the notice on the first page
    last = text[text.rindex("To complete"):]
    assert EN["complete_intro"] in last
    for item in result.to_complete:
        assert flat(item) in last, item
    assert text.count("to complete") >= 10  # in place of each missing value


def test_fonts_embedded_and_plan_vector_without_any_image(bundle, tmp_path):
    _, data, pages = write(bundle, tmp_path)
    doc = pdfium.PdfDocument(data)
    plan_page = next(i for i, t in enumerate(pages) if "The plan of the show" in t)
    for page in doc:
        kinds = [o.type for o in page.get_objects(max_depth=5)]
        assert raw.FPDF_PAGEOBJ_IMAGE not in kinds
    plan_kinds = [o.type for o in doc[plan_page].get_objects(max_depth=5)]
    assert plan_kinds.count(raw.FPDF_PAGEOBJ_PATH) > 50
    assert all(w in pages[plan_page] for w in ("Reds", "Blues", "0:30", "END", "meeting point"))
    assert b"/Subtype /Image" not in data and b"/FontFile2" in data
    texts = 0
    for page in doc:
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=5):
            font = raw.FPDFTextObj_GetFont(obj.raw)
            assert raw.FPDFFont_GetIsEmbedded(font) == 1
            texts += 1
    assert texts > 100
    # the plan is drawn in colour where the lanes are: a rendered page is not blank
    img = pdf_pages(data, dpi=60)[plan_page].convert("RGB")
    assert len(img.getcolors(maxcolors=1 << 20)) > 20


def test_a_long_programme_flows_over_pages_and_stays_on_them(french_bundle, tmp_path):
    from .conftest import char_boxes_mm

    result, data, pages = write(french_bundle, tmp_path)
    assert len(result.dossier.movements) > 80 and len(pages) >= 4
    with_header = [p for p in pages if "Heure Groupes Consigne" in p]
    assert len(with_header) >= 2  # the table's header repeats on each page it runs over
    for i in range(len(pages)):
        boxes = char_boxes_mm(data, i)
        assert boxes
        assert all(0 <= left and right <= 210 and 0 <= top and bottom <= 297 - 5
                   for _, left, top, right, bottom in boxes), f"page {i + 1}: text outside the page"
    assert result.dossier.movements[-1].text in pages[-2] + pages[-1]
