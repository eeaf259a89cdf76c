"""``python -m flashmob COMMAND ...``: the same as the ``flashmob`` command (flashmob/cli/)."""

import sys

from flashmob.cli import main

sys.exit(main())
