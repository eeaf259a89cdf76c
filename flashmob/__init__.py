"""flashmob: synchronized audio flashmobs. The distribution's one import namespace.

The project's packages are the repository's top-level folders (``conductor/``,
``tools/``, ...), imported as ``flashmob.conductor``, ``flashmob.tools``: generic
names like ``tools`` would collide with other distributions in site-packages.
In a wheel they are installed under ``flashmob/``; in a checkout they stay where
they are and this package's path reaches them (docs/architecture.md, "Layout").
"""

import os as _os

__version__ = "0.1.0"

_here = _os.path.dirname(_os.path.abspath(__file__))
if not _os.path.isdir(_os.path.join(_here, "conductor")):  # a checkout, not an installed wheel
    __path__.append(_os.path.dirname(_here))  # noqa: F821 - the package's own __path__
