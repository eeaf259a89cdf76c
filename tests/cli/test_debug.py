"""An unexpected exception in a command: one line without --debug, the traceback with it."""

import pytest

import flashmob.cli.check as check
from flashmob.cli import main


def boom(args):
    raise RuntimeError("something\nunexpected")


def test_unexpected_errors_are_one_line_without_debug(monkeypatch, capsys):
    monkeypatch.setattr(check, "run", boom)
    assert main(["check", "any.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("flashmob check: internal error: RuntimeError: something unexpected "
                   "(run with --debug for details)\n")


@pytest.mark.parametrize("argv", [["--debug", "check", "any.yaml"], ["check", "any.yaml", "--debug"]])
def test_debug_shows_the_traceback(monkeypatch, argv):
    monkeypatch.setattr(check, "run", boom)
    with pytest.raises(RuntimeError, match="something"):
        main(argv)
