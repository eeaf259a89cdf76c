"""``python -m flashmob.conductor serve BUNDLE [options]`` (same as ``flashmob serve``)."""

import sys

from .serve import main

sys.exit(main())
