"""QR codes and printed matter: getting the files into participants' hands, and the authorities' file.

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

``flashmob dossier BUNDLE -o DIR`` (``flashmob/cli/dossier.py``) writes the file
for the town hall / prefecture (docs/dossier.md):

* :mod:`.dossier` — what it says, from the manifest and the safety file (pure)
* :mod:`.dossiertexts` — its words in English and French
* :mod:`.programme` — the plan's timeline and the list of movements, from the manifest
* :mod:`.reach` — the measured delay from the console to the last phone (docs/benchmarks.md)
* :mod:`.planpdf` — the plan picture painted as PDF vectors
* :mod:`.dossierpdf` — the PDF layout; :mod:`.dossierkit` — the orchestration
"""
