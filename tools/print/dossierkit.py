"""``flashmob dossier``'s work: the file for the authorities, written to a folder.

:func:`make_dossier` loads the bundle (the same checks as ``flashmob qr`` and
the conductor), reads its private safety file
(:func:`flashmob.contract.safety.read_safety_file`), decides what the dossier
says (:func:`tools.print.dossier.dossier`) and writes ``DIR/dossier.pdf``
(:func:`tools.print.dossierpdf.dossier_pdf`).

Contract: invalid input (not a bundle, a damaged safety file, a bad
``--start``, an unknown language, a capacity below 1, a sign-up CSV that is
not one) raises
:class:`PrintError` before anything is written. Missing facts are not errors:
they are in the PDF's "to complete" section and in ``DossierResult.to_complete``
(the command prints how many, on stderr).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from flashmob.contract.safety import SafetyFileError, read_safety_file

from .dossier import Dossier, dossier
from .dossiertexts import LANGUAGES
from .dossierpdf import dossier_pdf
from .errors import PrintError
from .kit import load_print_bundle
from .registrants import read_registrants

FILE = "dossier.pdf"


@dataclass
class DossierOptions:
    language: str | None = None        # "fr" | "en"; default: the score's language
    start: str | None = None           # ISO 8601, overrides the event's date and time
    capacity: int | None = None        # as given to flashmob serve --capacity
    signups: int | None = None         # sign-ups counted by the conductor, when it keeps them
    signups_csv: Path | None = None    # the console's sign-up export (docs/signups.md): its rows are counted
    now: dt.datetime | None = None     # the PDF's creation date (default: the clock)


@dataclass
class DossierResult:
    path: Path
    dossier: Dossier
    to_complete: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)


def make_dossier(bundle_dir: Path, out_dir: Path, opts: DossierOptions) -> DossierResult:
    if opts.language is not None and opts.language not in LANGUAGES:
        raise PrintError(f"--lang {opts.language!r}: the dossier is written in {' or '.join(LANGUAGES)}")
    if opts.capacity is not None and opts.capacity < 1:
        raise PrintError("--capacity must be at least 1 (the number of phones flashmob serve admits)")
    bundle = load_print_bundle(Path(bundle_dir))
    signups = opts.signups
    if signups is None and opts.signups_csv is not None:  # the confirmed sign-ups, one row each
        signups = len(read_registrants(opts.signups_csv, bundle.groups))
    try:
        safety = read_safety_file(bundle.root)
    except SafetyFileError as exc:
        raise PrintError(str(exc)) from None
    d = dossier(bundle.manifest, safety, language=opts.language, start=opts.start, capacity=opts.capacity,
                signups=signups)
    data, missing_glyphs = dossier_pdf(d, created=opts.now or dt.datetime.now(dt.timezone.utc))
    warnings = []
    if missing_glyphs:
        warnings.append(f"the bundled font cannot draw {''.join(sorted(missing_glyphs))!r}; those characters "
                        "will be blank in the dossier")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE
    path.write_bytes(data)
    return DossierResult(path, d, d.to_complete, warnings)


__all__ = ["FILE", "DossierOptions", "DossierResult", "make_dossier"]
