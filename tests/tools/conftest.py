import sys
from pathlib import Path

# speech_checks.py (shared helpers) sits beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
