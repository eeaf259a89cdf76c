"""flashmob serve: the command line (flashmob/cli/serve.py), the banner and the process shell
(conductor/serve.py), TLS."""

import argparse
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from flashmob.cli import serve
from flashmob.conductor import serve as shell
from flashmob.conductor.app import ServerConfig, build_conductor
from conductor_testkit import TOKEN

REPO = Path(__file__).resolve().parents[2]


def parse(*argv):
    parser = argparse.ArgumentParser()
    serve.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["serve", *argv])


def test_arguments():
    args = parse("b", "--ntp", "a", "--ntp", "b:124", "--capacity", "350", "--assign", "fixed", "--port", "0")
    assert args.ntp == ["a", "b:124"] and args.capacity == 350 and args.assign == "fixed"
    assert args.run is serve.run
    with pytest.raises(SystemExit):
        parse("b", "--assign", "lottery")


def test_seat_options(bundle_dir, tmp_path, capsys):
    args = parse("b", "--max-pending", "500", "--confirm-timeout", "120")
    assert (args.max_pending, args.confirm_timeout) == (500, 120.0)
    assert (parse("b").max_pending, parse("b").confirm_timeout) == (10_000, 900.0)
    for bad in (["--capacity", "0"], ["--max-pending", "0"], ["--confirm-timeout", "0.1"]):
        assert serve.main(["serve", str(bundle_dir), "--port", "0", "--host", "127.0.0.1", "--no-qr",
                           "--db", str(tmp_path / "db.sqlite"), *bad]) == 2
        assert "flashmob serve:" in capsys.readouterr().err


def test_follows_the_tools_command_convention():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser(serve.NAME, help=serve.HELP)  # what flashmob/cli/ does with COMMANDS
    serve.configure(p)
    p.set_defaults(run=serve.run)
    args = parser.parse_args(["serve", "bundle", "--port", "0"])
    assert args.run is serve.run and args.port == 0


def test_unwritable_database_is_a_clear_error(bundle_dir, tmp_path, capsys):
    assert serve.main(["serve", str(bundle_dir), "--port", "0", "--host", "127.0.0.1", "--no-qr",
                       "--db", str(tmp_path / "missing-dir" / "db.sqlite")]) == 2
    assert "flashmob serve:" in capsys.readouterr().err


def test_public_url():
    assert serve.public_url(parse("b", "--public-url", "https://x.org/"), 1) == "https://x.org"
    assert serve.public_url(parse("b", "--host", "127.0.0.1"), 8123) == "http://127.0.0.1:8123"
    assert serve.public_url(parse("b", "--host", "::1", "--tls-cert", "c"), 9) == "https://[::1]:9"
    assert serve.public_url(parse("b"), 80).startswith("http://")
    with pytest.raises(ValueError, match="https://"):
        serve.public_url(parse("b", "--public-url", "mob.example.org"), 1)


def test_banner_has_console_url_join_url_and_qr(bundle_dir, tmp_path):
    cfg = ServerConfig(bundle_dir=bundle_dir, db_path=tmp_path / "db", token=TOKEN,
                       public_url="https://mob.example.org", assign="fixed")
    conductor, _, _ = build_conductor(cfg)
    text = shell.banner(conductor, qr=True)
    assert f"https://mob.example.org/console#token={TOKEN}" in text
    assert "https://mob.example.org/?g=red&k=" in text and "https://mob.example.org/?g=blue&k=" in text
    assert text.count("█") > 200  # two terminal QR codes


def test_bad_invocations(bundle_dir, tmp_path, capsys):
    assert serve.main(["serve", str(bundle_dir), "--tls-cert", "c.pem", "--port", "0"]) == 2
    assert serve.main(["serve", str(bundle_dir), "--port", "0", "--host", "127.0.0.1",
                       "--public-url", "https://x.org/?a=1"]) == 2
    assert serve.main(["serve", str(tmp_path), "--port", "0", "--host", "127.0.0.1"]) == 2
    assert "not a show bundle" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls(bundle_dir, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    from test_restart import spawn  # same subprocess harness

    proc, port = spawn(bundle_dir, tmp_path / "db", extra=["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        info = None
        for _ in range(100):
            try:
                info = httpx.get(f"https://127.0.0.1:{port}/api/info", verify=ctx, timeout=2).json()
                break
            except httpx.HTTPError:
                import time
                time.sleep(0.05)
        assert info and info["show_id"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_raise_fd_limit_goes_to_the_hard_limit():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))
        before, after = shell.raise_fd_limit()
        assert before == min(256, hard)
        assert after == resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_connection_limits_from_flags_and_the_fd_limit():
    limits, warnings = serve.connection_limits(parse("b"), 20_000)
    assert limits.max_connections == 17_488 and limits.per_address == 17_488 and not warnings
    assert limits.pending_per_address == 1000 and limits.header_timeout_s == 10 and limits.hello_timeout_s == 15
    limits, warnings = serve.connection_limits(parse("b", "--max-connections", "50000"), 1024)
    assert limits.max_connections == 384 and "does not fit" in warnings[0]
    assert limits.pending_per_address == 192  # never more than half the global cap
    limits, _ = serve.connection_limits(parse("b", "--max-per-address", "300", "--header-timeout", "3",
                                              "--forwarded-allow-ips", "10.0.0.1, ::ffff:10.0.0.2"), 20_000)
    assert limits.per_address == 300 and limits.header_timeout_s == 3
    assert limits.exempt == {"10.0.0.1", "10.0.0.2"}
    with pytest.raises(ValueError):
        serve.connection_limits(parse("b", "--max-pending-per-address", "0"), 20_000)


def test_help_explains_carrier_grade_nat():
    import io

    parser = argparse.ArgumentParser()
    serve.add_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    parser._subparsers._group_actions[0].choices["serve"].print_help(out)
    text = " ".join(out.getvalue().split())
    assert "carrier-grade NAT" in text and "503" in text and "1013" in text
    for flag in ("--max-connections", "--max-per-address", "--max-pending-per-address", "--header-timeout",
                 "--hello-timeout"):
        assert flag in text


@pytest.mark.parametrize("damage, named", [
    (lambda b, db: (b / "red" / "seg-0001.mp3").write_bytes(b"tampered"), "red/seg-0001.mp3"),
    (lambda b, db: db.write_bytes(b""), "is empty"),
    (lambda b, db: (b / "manifest.json").write_text((b / "manifest.json").read_text().replace(
        '"sample_rate": 44100', '"sample_rate": 4410000000')), "sample_rate"),
])
def test_serve_refuses_to_start_and_says_why(bundle_dir, tmp_path, capsys, monkeypatch, damage, named):
    monkeypatch.setenv("FLASHMOB_TOKEN", TOKEN)
    db = tmp_path / "state.sqlite"
    damage(bundle_dir, db)
    assert serve.main(["serve", str(bundle_dir), "--host", "127.0.0.1", "--port", "0", "--no-qr",
                       "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


def test_serve_refuses_a_short_flashmob_token(bundle_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FLASHMOB_TOKEN", "12345")
    assert serve.main(["serve", str(bundle_dir), "--host", "127.0.0.1", "--port", "0", "--no-qr",
                       "--db", str(tmp_path / "s.sqlite")]) == 2
    assert "FLASHMOB_TOKEN must have at least 16 characters" in capsys.readouterr().err


def test_ntp_max_offset_reaches_the_clock(bundle_dir, tmp_path):
    args = parse("b", "--ntp-max-offset", "2.5")
    assert args.ntp_max_offset == 2.5 and parse("b").ntp_max_offset == 10.0
    cfg = ServerConfig(bundle_dir=bundle_dir, db_path=tmp_path / "db", token=TOKEN, ntp_max_offset_s=2.5)
    _, clock, _ = build_conductor(cfg)
    assert clock.max_offset_us == 2_500_000


def test_banner_of_a_surprise_show_marks_the_group_codes_and_choice_is_refused(tmp_path, capsys):
    from test_surprise import surprise_bundle

    bundle = surprise_bundle(tmp_path / "b", reveal_ms=90_000)
    cfg = ServerConfig(bundle_dir=bundle, db_path=tmp_path / "db", token=TOKEN,
                       public_url="https://mob.example.org", assign="fixed")
    conductor, _, _ = build_conductor(cfg)
    try:
        text = shell.banner(conductor, qr=True)
    finally:
        conductor.close()
        conductor.state_lock.release()
    assert "surprise: phones are not told their group (revealed at 90 s)" in text
    assert text.count("ORGANIZERS ONLY - ") == 2
    assert serve.main(["serve", str(bundle), "--port", "0", "--host", "127.0.0.1", "--assign", "choice"]) == 2
    assert "surprise: phones cannot choose" in capsys.readouterr().err


def test_signup_event_dates_from_the_event_block(bundle_dir):
    import datetime as dt

    from flashmob.cli.serve import signup_event
    from flashmob.contract.bundle import load_bundle

    manifest = load_bundle(bundle_dir).manifest  # event.starts 2026-12-05T18:00:00+01:00, 180 s
    event, warning = signup_event(manifest)
    start = dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.timezone.utc).timestamp() * 1e6
    assert warning is None and (event.start_us, event.end_us) == (start, start + 180e6)
    assert "DTSTART:20261205T170000Z" in event.calendar("https://x.example/?i=abc", 0)
    floating, warning = signup_event(manifest, start="2026-12-05T18:00")  # no timezone anywhere
    assert floating.start_us is None and floating.calendar and "no timezone" in warning
    import dataclasses

    bad = dataclasses.replace(manifest, event=dataclasses.replace(manifest.event, timezone="Mars/Olympus"))
    none, warning = signup_event(bad)
    assert none.calendar is None and "unknown timezone 'Mars/Olympus'" in warning
