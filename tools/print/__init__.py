"""QR codes and printed matter: getting the files into participants' hands.

``flashmob qr BUNDLE --url PUBLIC_URL -o DIR`` (``flashmob/cli/qr.py``)
runs :func:`tools.print.kit.make_kit`, which writes join and download QR codes
(PNG, SVG), an A4 poster, a sheet of A6 flyers, direct-download cards, an
``.ics`` calendar event and name badges. See docs/print.md.

One concept per module:

* :mod:`.qr` — QR encoding (level Q, 4-module quiet zone): matrix, PNG, SVG
* :mod:`.links` — the show's join/download URLs (``flashmob.contract.urls``) and group signing
* :mod:`.event` — event facts from the manifest; what a poster lacks
* :mod:`.texts` — labels and date formats in English and French
* :mod:`.wording` — what a poster or flyer says (pure)
* :mod:`.textfit`, :mod:`.sheet` — fitting text, imposing cells with cut marks (pure)
* :mod:`.pdfkit` — fpdf2 drawing helpers, embedded DejaVu Sans
* :mod:`.poster`, :mod:`.flyers`, :mod:`.downloads`, :mod:`.badges` — PDF layouts
* :mod:`.registrants` — the badges' CSV
* :mod:`.ics` — the calendar file
* :mod:`.kit` — the orchestration behind the command
"""
