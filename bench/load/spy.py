"""Where the conductor's CPU goes: py-spy during the steady phase, summarised.

``py-spy record --format raw`` writes one line per distinct stack ("frame;frame;...
count"); :func:`summarize` turns it into the share of samples spent *in* each
function (inclusive) and *on* it (self), pure.  :func:`record` is the shell
(py-spy from PyPI: ``scripts/ensure-bench-tools.sh --profiler``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from ..table import markdown


def _name(frame: str) -> str:
    """``func (path/file.py:12)`` -> ``func (file.py)``."""
    func, _, where = frame.partition(" (")
    return f"{func} ({where.split(':')[0].rsplit('/', 1)[-1]})" if where else func


def summarize(raw: str) -> tuple[int, Counter, Counter]:
    """(samples, inclusive counts, self counts) per function."""
    total, incl, own = 0, Counter(), Counter()
    for line in raw.splitlines():
        stack, _, n = line.rstrip().rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        total += n
        frames = [_name(f) for f in stack.split(";")]
        for f in set(frames):
            incl[f] += n
        own[frames[-1]] += n
    return total, incl, own


# Functions worth a line in the table (the rest is framework plumbing around them).
FOCUS = ("SocketEndpoint.__call__ (endpoint.py)", "Outbox.send_now (hub.py)", "parse_sync (fastwire.py)",
         "GatedProtocol.data_received (gate.py)", "Telemetry.aggregate (telemetry.py)",
         "Outbox.run (hub.py)", "Session.handle (session.py)", "Runtime.execute (runtime.py)", "parse (messages.py)", "to_wire (messages.py)",
         "PendingReply.render (sync.py)", "WebSocket.receive (websockets.py)", "WebSocket.send_text (websockets.py)",
         "_SelectorSocketTransport.write (selector_events.py)",
         "_SelectorSocketTransport._read_ready (selector_events.py)", "Conductor.report (service.py)",
         "Conductor.publish_feed (service.py)", "Conductor.feed (service.py)", "ConsoleFeed.to_wire (feed.py)",
         "TokenBucket.allow (sync.py)")


def table(raw: str, top_self: int = 8) -> str:
    total, incl, own = summarize(raw)
    if not total:
        return "(no samples)"
    rows = [[f, 100 * incl[f] / total, 100 * own[f] / total] for f in FOCUS if incl[f]]
    rows += [[f"self: {f}", 100 * incl[f] / total, 100 * n / total] for f, n in own.most_common(top_self)]
    return markdown(("function", "% of samples (inclusive)", "% self"), rows, digits=1)


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    """Start py-spy on ``pid`` for ``seconds`` (100 Hz, non-blocking), or None if missing."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        print("bench.load: py-spy is missing (scripts/ensure-bench-tools.sh --profiler)", file=sys.stderr)
        return None
    return subprocess.Popen([exe, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100", "--nonblocking",
                            "-f", "raw", "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
