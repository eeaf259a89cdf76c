"""Where the web client's files are (the phone page, the console, their modules).

The web client is the ``client_web`` resource folder of the ``flashmob`` package,
found with :mod:`importlib.resources`: ``flashmob/client_web/`` of an installed
wheel (setup.py ships it there), ``client_web/`` at the top of a checkout (the
``flashmob`` shim's path reaches the checkout's folders). :func:`client_dir`
returns that folder, or, when the client is not installed at all, the path where
it would be (which does not exist: the conductor then serves a placeholder page).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

PACKAGE = "flashmob.client_web"
INDEX = "index.html"


def client_dir() -> Path:
    """The folder holding the web client's ``index.html``."""
    try:
        index = files(PACKAGE) / INDEX
    except ModuleNotFoundError:  # not shipped
        return Path(files("flashmob")) / "client_web"
    with as_file(index) as path:  # a real file on disk: the path itself, nothing copied
        return Path(path).parent
