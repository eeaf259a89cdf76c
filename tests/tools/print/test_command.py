"""`flashmob qr` (flashmob/cli/qr.py): arguments, exit codes, messages on stderr."""

import argparse

import pytest

from flashmob.cli import qr
from flashmob.contract.modes import MODES

from .conftest import PUBLIC, make_bundle


def run(*argv) -> int:
    parser = argparse.ArgumentParser(prog="flashmob qr")
    qr.configure(parser)
    return qr.run(parser.parse_args([str(a) for a in argv]))


def test_follows_the_command_convention():
    assert qr.NAME == "qr" and qr.HELP and callable(qr.configure) and callable(qr.run)
    assert qr.ASSIGN_MODES == MODES  # the same choices as flashmob serve --assign


def test_writes_the_kit_and_prints_the_join_url(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FLASHMOB_GROUP_SECRET", raising=False)
    bundle = make_bundle(tmp_path / "b")
    assert run(bundle, "--url", PUBLIC, "-o", tmp_path / "out", "--flyer-pages", 2) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "join: https://mob.example.org/"
    assert "11 files written to" in out and "poster.pdf" in out
    assert err == ""
    assert (tmp_path / "out" / "poster.pdf").is_file()


def test_fixed_mode_prints_one_url_per_group_and_where_the_secret_lives(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FLASHMOB_GROUP_SECRET", "x" * 32)
    bundle = make_bundle(tmp_path / "b")
    assert run(bundle, "--url", PUBLIC, "-o", tmp_path / "out", "--assign", "fixed", "--qr-only") == 0
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == ["join red", "join blue"]
    assert "FLASHMOB_GROUP_SECRET" in err


@pytest.mark.parametrize("setup,args,needle", [
    (None, [], "is not a show bundle"),
    ({"event": None}, [], "no event block"),
    ({}, ["--start", "next friday"], "--start 'next friday' is not a date and time"),
    ({}, ["--badges", "missing.csv"], "cannot read the registrants file"),
    ({}, ["--flyer-pages", "0"], "--flyer-pages must be at least 1"),
])
def test_errors_exit_1_with_a_message(tmp_path, capsys, setup, args, needle):
    target = make_bundle(tmp_path / "b", **setup) if setup is not None else tmp_path
    args = [a if a != "missing.csv" else tmp_path / a for a in args]
    assert run(target, "--url", PUBLIC, "-o", tmp_path / "out", *args) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("flashmob qr: ") and needle in err


def test_bad_csv_row_names_its_line(tmp_path, capsys):
    bundle = make_bundle(tmp_path / "b")
    (tmp_path / "r.csv").write_text("name,handle,group\nAnn,@ann,\nBob,@bob,purple\n")
    assert run(bundle, "--url", PUBLIC, "-o", tmp_path / "out", "--badges", tmp_path / "r.csv",
               "--assign", "fixed") == 1
    assert "r.csv:3: unknown group 'purple' (groups: red (Reds), blue (Blues))" in capsys.readouterr().err


def test_warnings_go_to_stderr(tmp_path, capsys):
    bundle = make_bundle(tmp_path / "b")
    assert run(bundle, "--url", "http://10.0.0.5:8000", "-o", tmp_path / "out", "--qr-only") == 0
    out, err = capsys.readouterr()
    assert "warning: the public URL is plain http" in err and "warning:" not in out


def test_required_arguments(tmp_path):
    with pytest.raises(SystemExit):
        run(tmp_path, "-o", tmp_path / "out")
    with pytest.raises(SystemExit):
        run(tmp_path, "--url", PUBLIC, "-o", tmp_path / "o", "--assign", "lottery")
