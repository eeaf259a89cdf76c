"""``python -m flashmob.conductor serve BUNDLE [options]``: an alias of ``flashmob serve``
(the command line lives in flashmob/cli/)."""

import sys

from flashmob.cli import main

sys.exit(main())
