"""Badges: eight per sheet, each with its personal join QR, names in any script."""

from flashmob.tools.print.badges import PER_PAGE, Badge, badges_pdf

from .conftest import decode_all, pdf_pages, pdf_text

NAMES = ["José Écrivain", "Αλέξης Παπαδόπουλος", "Анастасия Кузнецова", "Marie-Hélène de La Tour d'Auvergne",
         "Bob", "Zoë", "Ağca Şükrü", "Łukasz Żółć", "Ann"]


def make(i, name):
    group = ("Rouges", "#d32f2f") if i % 3 == 0 else ("Jaunes", "#fbc02d") if i % 3 == 1 else (None, None)
    return Badge(name=name, handle=f"@p{i}" if i != 4 else None, group_name=group[0], colour=group[1],
                 url=f"https://mob.example.org/?g=g{i}&k=8wq1dK0mVbL2cP9sXyZ3a{i}&p=%40p{i}",
                 caption="Scannez : rejoint votre groupe", footer="Apéro géant à Besançon · samedi 13 juin 2026")


def test_badges_carry_their_personal_codes_and_names():
    badges = [make(i, n) for i, n in enumerate(NAMES)]
    data = badges_pdf(badges, "Apéro géant à Besançon", "fr")
    pages = pdf_pages(data, dpi=150)
    assert len(pages) == 2 and PER_PAGE == 8
    assert sorted(decode_all(pages[0])) == sorted(b.url for b in badges[:8])
    assert decode_all(pages[1]) == [badges[8].url]
    text = " ".join(" ".join(pdf_text(data)).split())
    for b in badges:
        for word in b.name.split():
            assert word in text
    assert "ROUGES" in text and "JAUNES" in text and "@p3" in text
    assert "APÉRO GÉANT À BESANÇON" in text  # the stripe of a badge without a group
