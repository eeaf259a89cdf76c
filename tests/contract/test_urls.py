"""flashmob.contract.urls: the one definition of join and download URLs."""

from urllib.parse import parse_qs, urlsplit

import pytest

from flashmob.contract.grouptokens import GroupSigner
from flashmob.contract.urls import HINT_MAX, check_public_url, download_url, group_download_url, join_url

PUBLIC = "https://mob.example.org"


def test_general_join_url_is_the_root():
    assert join_url(PUBLIC) == "https://mob.example.org/"
    assert join_url(PUBLIC + "/") == "https://mob.example.org/"
    assert join_url("https://example.org/mob/") == "https://example.org/mob/"


def test_group_join_url_carries_group_and_token():
    token = GroupSigner(b"s" * 32, "show1").sign("red")
    url = join_url(PUBLIC, "red", token)
    assert url == f"https://mob.example.org/?g=red&k={token}"
    assert GroupSigner(b"s" * 32, "show1").verify("red", parse_qs(urlsplit(url).query)["k"][0])


def test_hint_is_percent_encoded_and_round_trips():
    url = join_url(PUBLIC, "red", "abc", hint="@José Écrivain&co")
    q = parse_qs(urlsplit(url).query)
    assert q == {"g": ["red"], "k": ["abc"], "p": ["@José Écrivain&co"]}
    assert " " not in url and "@" not in url
    assert join_url(PUBLIC, hint="@ann") == "https://mob.example.org/?p=%40ann"
    with pytest.raises(ValueError):
        join_url(PUBLIC, hint="x" * (HINT_MAX + 1))


@pytest.mark.parametrize("group,token", [("red", None), (None, "tok"), ("r d", "tok"), ("red", "a&b")])
def test_bad_group_arguments(group, token):
    with pytest.raises(ValueError):
        join_url(PUBLIC, group, token)


def test_download_url():
    assert download_url(PUBLIC, "29cd1cf2be264ad9", "red/show.mp3") == \
        "https://mob.example.org/bundle/29cd1cf2be264ad9/red/show.mp3"
    assert download_url(PUBLIC, "r", "a b/ç.mp3").endswith("/bundle/r/a%20b/%C3%A7.mp3")
    for path in ("/etc/passwd", "../x.mp3"):
        with pytest.raises(ValueError):
            download_url(PUBLIC, "r", path)


def test_check_public_url():
    assert check_public_url(" https://mob.example.org/ ") == "https://mob.example.org"
    assert check_public_url("http://192.168.1.20:8000") == "http://192.168.1.20:8000"
    for bad in ("", "mob.example.org", "ftp://x.org", "https://", "https://x.org/?a=1", "https://x.org/#t",
                "https://x.org/a b"):
        with pytest.raises(ValueError):
            check_public_url(bad)


def test_group_download_url_is_stable():
    assert group_download_url(PUBLIC + "/", "red") == "https://mob.example.org/download/red"
    with pytest.raises(ValueError):
        group_download_url(PUBLIC, "../etc")


def test_a_signups_personal_join_url_carries_the_participant_id():
    from flashmob.contract.urls import join_url as join

    assert join("https://mob.example.org/", participant="AbC-_9") == "https://mob.example.org/?i=AbC-_9"
    with pytest.raises(ValueError):
        join("https://mob.example.org", participant="a&b=c")
