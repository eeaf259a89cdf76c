"""``python -m bench.wire_codec``: what one frame costs to parse and to write.

    python -m bench.wire_codec --number 20000 --rounds 5
    python -m bench.wire_codec --tree /tmp/old-checkout    # the same frames, another tree's code

In process, no network: ``messages.parse`` of the frames phones send most
(hello, sync, status) and ``messages.to_wire`` of the ones the server sends
most (welcome, sync_reply, show).  ``--tree`` runs the measurement in a
subprocess whose ``flashmob`` namespace reaches another checkout (for instance
``git archive main | tar -x -C /tmp/old``), so a change to the codec can be
compared with the code before it on the same machine.  Each figure is the
fastest of ``--rounds`` runs of ``--number`` calls, the trees' runs interleaved
(the machine is shared: the fastest is the least disturbed).  Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import timeit
from pathlib import Path

from . import machine
from .table import markdown

ROOT = Path(__file__).resolve().parents[1]

HELLO = '{"type":"hello","participant_id":"k3J9x_Qm2LpAq7Vd0fRzW1sE8uYb","client":"flashmob-web/1 (x)"}'
SYNC = '{"type":"sync","id":4,"t0":1786000000123456}'
STATUS = ('{"type":"status","verified":true,"sync_error_us":1200,"engine":"webaudio","position_us":5,'
          '"output_latency_us":20000}')


def measure(number: int, rounds: int) -> dict[str, float]:
    """µs per call of each operation, with the ``flashmob`` importable now."""
    from flashmob.conductor import messages as m

    show = m.ShowInfo(state="armed", start_at_us=1_786_000_300_000_000, duration_us=180_000_000, revision=3,
                      changed_at_us=1_786_000_240_000_000)
    welcome = m.Welcome(participant_id="k3J9x_Qm2LpAq7Vd0fRzW1sE8uYb", group="red",
                        manifest_url="/bundle/29cd1cf2be264ad9/manifest.json", show=show,
                        server_time_us=1_786_000_250_000_000)
    reply = m.SyncReply(id=4, t0=1_786_000_000_123_456, t1=1_786_000_000_200_000, t2=1_786_000_000_200_010)
    shown = m.ShowMsg(**m.to_dict(show))
    ops = {
        "parse hello": lambda: m.parse(HELLO, "participant"),
        "parse sync": lambda: m.parse(SYNC, "participant"),
        "parse status": lambda: m.parse(STATUS, "participant"),
        "to_wire welcome": lambda: m.to_wire(welcome),
        "to_wire sync_reply": lambda: m.to_wire(reply),
        "to_wire show": lambda: m.to_wire(shown),
    }
    return {name: min(timeit.repeat(f, number=number, repeat=rounds)) / number * 1e6 for name, f in ops.items()}


def measure_tree(tree: Path, number: int, rounds: int) -> dict[str, float]:
    """:func:`measure` in a subprocess importing the checkout at ``tree``."""
    code = (f"import json, sys; sys.path[:0] = [{str(ROOT)!r}]; "
            f"from bench.wire_codec import measure; sys.path[:0] = [{str(tree)!r}]; "
            f"import flashmob.conductor.messages as m; assert m.__file__.startswith({str(tree)!r}), m.__file__; "
            f"print(json.dumps(measure({number}, {rounds})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.wire_codec", description=__doc__.split("\n\n")[0])
    ap.add_argument("--number", type=int, default=20000, help="calls per run (default 20000)")
    ap.add_argument("--rounds", type=int, default=5, help="runs; the fastest counts (default 5)")
    ap.add_argument("--tree", type=Path, action="append", default=[],
                    help="also measure the checkout at this path (repeatable)")
    args = ap.parse_args(argv)
    trees = {"this tree": ROOT, **{str(t): t.resolve() for t in args.tree}}
    columns: dict[str, dict[str, float]] = {name: {} for name in trees}
    for _ in range(args.rounds):  # interleaved: each round measures every tree once
        for name, tree in trees.items():
            for op, us in measure_tree(tree, args.number, 1).items():
                columns[name][op] = min(us, columns[name].get(op, us))
    print(f"`python -m bench.wire_codec {' '.join(argv if argv is not None else sys.argv[1:])}` on "
          f"{machine.describe()}\n")
    names = list(columns["this tree"])
    rows = [[name] + [columns[c].get(name) for c in columns] for name in names]
    print(markdown(["operation (µs per call)"] + list(columns), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
