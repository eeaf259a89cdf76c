"""The report of a show served by two ``flashmob serve --redis`` processes: one show log per node
(in the bundle folder), merged by ``flashmob report`` with phones on both nodes, one of them moving
from one node to the other."""

import csv
import io
import time

from backplane_kit import start_nodes
from conductor_testkit import write_bundle


def test_two_nodes_two_logs_one_report(tmp_path, redis_url):
    bundle = write_bundle(tmp_path / "bundle", duration_ms=2_000)
    n1, n2 = start_nodes(2, bundle, redis_url, tmp_path / "logs")
    try:
        a, wa = n1.confirmed_phone()
        b, wb = n2.confirmed_phone()
        mover, wm = n1.confirmed_phone()
        console = n2.console()
        console.send({"type": "arm", "ref": "a", "in_ms": 1500})
        console.expect("ack", ref="a")
        for p in (a, b, mover):
            p.expect("show", state="running", timeout=8)
        mover.close()  # it leaves node 1 ... and comes back through node 2
        time.sleep(0.3)
        back, _ = n2.phone(participant_id=wm["participant_id"])
        a.expect("show", state="ended", timeout=8)
        for c in (a, b, back, console):
            c.close()
        time.sleep(1.2)  # a tick of each node appends its last records
        import httpx

        from conductor_testkit import TOKEN

        r = httpx.get(f"{n1.url}/api/report", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert r.status_code == 200, r.text  # the console's download on one node: both nodes' logs
        assert "<td>logs merged (nodes)</td><td class=n>2</td>" in r.text
    finally:
        n1.stop()
        n2.stop()  # SIGTERM: each flushes its log
    logs = sorted(p.name for p in bundle.glob("*.showlog"))
    assert logs == [".flashmob-node-n1.showlog", ".flashmob-node-n2.showlog"]
    from flashmob.cli import main

    assert main(["report", str(bundle), "-o", str(tmp_path / "out")]) == 0
    people = list(csv.DictReader(io.StringIO((tmp_path / "out" / "participants.csv").read_text())))
    summary = {r["what"]: r["value"] for r in csv.DictReader(io.StringIO((tmp_path / "out" / "summary.csv")
                                                                         .read_text()))}
    assert summary["logs merged (nodes)"] == "2" and summary["outcome"] == "ended"
    assert len(people) == 3 and summary["dropouts during the show"] == "1"
    assert sorted((p["seen_dropouts"], p["seen_rejoins"], p["seen_nodes"]) for p in people) == \
        [("0", "0", "1"), ("0", "0", "1"), ("1", "1", "2")]
