"""The console's sign-up CSV -> `flashmob qr --badges` -> badges whose QR codes join the signed-up group.

A real conductor (uvicorn on loopback) takes the sign-ups and exports the CSV; the
real `flashmob qr` prints the badges; pdfium renders them and zxing-cpp reads the
QR codes; a phone saying hello with the decoded id gets the group of the sign-up.
"""

import argparse
import json

import httpx

from flashmob.cli import qr
from flashmob.contract.signups import FORMAT, SIGNUP_FILE
from tests.conductor.conductor_testkit import TOKEN, LiveServer

from .conftest import PUBLIC, decode_all, make_bundle, pdf_pages, pdf_text


def run_qr(*argv) -> int:
    parser = argparse.ArgumentParser(prog="flashmob qr")
    qr.configure(parser)
    return qr.run(parser.parse_args([str(a) for a in argv]))


def test_signups_csv_prints_badges_whose_qr_joins_the_group(tmp_path, monkeypatch, capsys):
    from flashmob.conductor.app import ServerConfig, build_app

    monkeypatch.delenv("FLASHMOB_GROUP_SECRET", raising=False)
    bundle = make_bundle(tmp_path / "b")
    (bundle / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": "Badges only.",
                                                  "capacity": 3}))
    server = LiveServer(build_app(ServerConfig(bundle_dir=bundle, token=TOKEN, public_url=PUBLIC,
                                               client_dir=tmp_path / "none"))).start()
    try:
        views = [httpx.post(f"{server.url}/api/signup", json={"name": n, "consent": True}, timeout=10).json()
                 for n in ("Zoë Écrivain", "@bob", "Łukasz Żółć", "Late Comer")]
        assert [v["status"] for v in views] == ["confirmed"] * 3 + ["waiting"]
        csv_text = httpx.get(f"{server.url}/api/signups.csv", headers={"Authorization": f"Bearer {TOKEN}"},
                             timeout=10).text
        (tmp_path / "signups.csv").write_text(csv_text, encoding="utf-8")
        assert run_qr(bundle, "--url", PUBLIC, "-o", tmp_path / "print", "--badges", tmp_path / "signups.csv",
                      "--qr-only") == 0
        pdf = (tmp_path / "print" / "badges.pdf").read_bytes()
        codes = decode_all(pdf_pages(pdf, dpi=150)[0])
        assert sorted(codes) == sorted(v["join_url"] for v in views[:3])
        text = " ".join(" ".join(pdf_text(pdf)).split())
        names = {g.id: g.name.upper() for g in server.conductor.bundle.groups}
        for v in views[:3]:
            assert v["name"] in text and names[v["group"]] in text  # the group's stripe: not a surprise
        assert "Late Comer" not in text
        for url, v in zip(sorted(codes), sorted(views[:3], key=lambda v: v["join_url"])):
            phone, welcome = server.phone(participant_id=url.split("?i=")[1])
            assert welcome["group"] == v["group"]
            phone.close()
    finally:
        server.stop()


def test_a_show_that_takes_signups_gets_the_pages_qr_code(tmp_path, monkeypatch, capsys):
    from PIL import Image

    monkeypatch.delenv("FLASHMOB_GROUP_SECRET", raising=False)
    bundle = make_bundle(tmp_path / "b")
    assert run_qr(bundle, "--url", PUBLIC, "-o", tmp_path / "none", "--qr-only") == 0
    assert not (tmp_path / "none" / "signup.png").exists()  # no signups block, no sign-up page
    (bundle / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": "Badges only."}))
    assert run_qr(bundle, "--url", PUBLIC, "-o", tmp_path / "out", "--qr-only") == 0
    assert decode_all(Image.open(tmp_path / "out" / "signup.png")) == [f"{PUBLIC}/signup"]
    assert f"sign-up page        {PUBLIC}/signup" in (tmp_path / "out" / "links.txt").read_text(encoding="utf-8")
    (bundle / SIGNUP_FILE).write_text("{")
    capsys.readouterr()
    assert run_qr(bundle, "--url", PUBLIC, "-o", tmp_path / "bad", "--qr-only") == 1
    err = capsys.readouterr().err
    assert err.startswith("flashmob qr: ") and SIGNUP_FILE in err and not (tmp_path / "bad").exists()
