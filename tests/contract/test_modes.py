"""flashmob.contract.modes: the one list of assignment modes, used by serve and qr alike."""

import argparse

import pytest

from flashmob.contract.modes import GROUP_MODES, MODES, check_mode


def test_modes():
    assert MODES == ("balanced", "random", "fixed", "choice")
    assert set(GROUP_MODES) <= set(MODES)
    assert check_mode("fixed") == "fixed"
    with pytest.raises(ValueError, match="must be one of balanced, random, fixed, choice, not 'fxed'"):
        check_mode("fxed")


def test_serve_and_qr_offer_these_choices():
    from flashmob.cli.serve import configure as serve_configure
    from flashmob.cli import qr

    for configure in (serve_configure, qr.configure):
        p = argparse.ArgumentParser()
        configure(p)
        assign = next(a for a in p._actions if a.dest == "assign")
        assert tuple(assign.choices) == MODES
