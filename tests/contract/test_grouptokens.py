"""flashmob.contract.grouptokens: group tokens cannot be forged or moved between groups/shows,
and never change (they are printed)."""

import pytest

from flashmob.contract.grouptokens import TOKEN_CHARS, GroupSigner, same_secret
from flashmob.contract.secret import new_key


def test_group_tokens():
    secret = new_key()
    signer = GroupSigner(secret, "show1")
    red = signer.sign("red")
    assert len(red) == TOKEN_CHARS
    assert signer.verify("red", red)
    assert not signer.verify("blue", red)
    assert not signer.verify("red", red[:-1] + ("x" if red[-1] != "x" else "y"))
    assert not signer.verify("red", None)
    assert not GroupSigner(secret, "show2").verify("red", red)
    assert not GroupSigner(new_key(), "show1").verify("red", red)
    assert GroupSigner(secret, "show1").sign("red") == red  # stable: posters stay valid


def test_the_formula_is_frozen():
    """A known answer, computed before the contract moved here: printed posters keep working."""
    assert GroupSigner(b"0123456789abcdef0123456789abcdef", "show1").sign("red") == "IegNmw7n6Ydb1FFLk3foeX"


def test_short_secret_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        GroupSigner(b"short", "s")


def test_same_secret():
    assert same_secret("abc", "abc") and not same_secret("abd", "abc")
    assert not same_secret(None, "abc") and not same_secret("é", "abc")
