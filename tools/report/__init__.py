"""After the show: ``flashmob report BUNDLE -o DIR`` (``flashmob/cli/report.py``, docs/report.md).

The conductor's show logs (format: ``flashmob.contract.showlog``; one per node,
merged) become one self-contained HTML page with pictures and the same data as
CSV.  One concept per module:

* :mod:`.logs` — reading and merging the logs (numpy record arrays);
* :mod:`.facts` — the run, each participant, attendance, dropouts (pure);
* :mod:`.figures` — the pictures (matplotlib, inline SVG);
* :mod:`.tables` — the CSV tables;
* :mod:`.page` — the page and the command's orchestration.
"""
