"""Fitting text into boxes, with an injected measure (pure)."""

import pytest

from flashmob.tools.print.textfit import ELLIPSIS, fit, wrap


def measure(text: str, size: float) -> float:
    return len(text) * size * 0.5  # every character is half an em wide


def test_wrap_greedy_by_words():
    assert wrap("aaa bbb ccc", 4 * 5, 10, measure) == ["aaa", "bbb", "ccc"]
    assert wrap("aa bb cc dd", 5 * 5, 10, measure) == ["aa bb", "cc dd"]
    assert wrap("one\ntwo", 100, 10, measure) == ["one", "two"]


def test_fit_picks_the_largest_size_that_fits():
    f = fit("Apéro géant à Besançon", 120, 1, (20, 16, 12, 10, 8), measure)  # 22 characters
    assert f.size == 10 and f.lines == ("Apéro géant à Besançon",) and not f.truncated
    f = fit("Apéro géant à Besançon", 120, 2, (20, 16, 12, 10, 8), measure)
    assert f.size == 20 and f.lines == ("Apéro géant", "à Besançon")
    assert all(measure(line, f.size) <= 120 for line in f.lines)


def test_too_long_text_is_cut_with_an_ellipsis():
    f = fit("word " * 50, 30, 2, (10, 8), measure)
    assert f.truncated and f.size == 8 and len(f.lines) == 2
    assert f.lines[-1].endswith(ELLIPSIS)
    assert all(measure(line, f.size) <= 30 for line in f.lines)


def test_no_break_spaces_hold_words_together():
    text = "20\u00a0min 03\u00a0s"
    assert wrap(text, 6 * 5, 10, measure) == ["20\u00a0min", "03\u00a0s"]


def test_long_urls_break_after_separators():
    url = "https://mob.example.org/bundle/29cd1cf2be264ad9/groups/red.mp3"
    lines = wrap(url, 30 * 5, 10, measure)
    assert "".join(lines) == url
    assert all(measure(line, 10) <= 150 for line in lines)
    assert lines[0].endswith("/")


def test_a_word_longer_than_the_line_without_separators_breaks_between_characters():
    assert wrap("abcdefghij", 4 * 5, 10, measure) == ["abcd", "efgh", "ij"]


def test_bad_arguments():
    with pytest.raises(ValueError):
        fit("x", 10, 0, (10,), measure)
    with pytest.raises(ValueError):
        fit("x", 10, 1, (), measure)


def test_a_smaller_size_is_preferred_to_a_broken_word():
    f = fit("Αλέξης Παπαδόπουλος", 50, 3, (20, 16, 12, 8), measure)  # 12 letters: 60 at 10
    assert f.lines == ("Αλέξης", "Παπαδόπουλος") and f.size == 8
    f = fit("Παπαδόπουλος", 30, 3, (20, 8), measure)
    assert f.size == 8 and f.lines == ("Παπαδόπ", "ουλος")  # no size avoids a break: the largest that fits
