"""flashmob.conductor.tokens: the console token and signed participant ids (group tokens:
tests/contract/test_grouptokens.py)."""

from flashmob.conductor.tokens import new_console_token, same_secret


def test_console_token_compare():
    token = new_console_token()
    assert len(token) >= 32
    assert same_secret(token, token)
    assert not same_secret(token[:-1] + ("A" if token[-1] != "A" else "B"), token)
    assert not same_secret(None, token)
    assert not same_secret("", token)
    assert not same_secret("é", token)  # non-ASCII input does not raise


def test_participant_ids_carry_their_group_even_among_1000():
    from flashmob.conductor.tokens import PID_CHARS, ParticipantIds
    from flashmob.contract.grouptokens import GroupSigner
    from flashmob.contract.secret import new_key as new_secret

    groups = tuple(f"g{i}" for i in range(1000))
    signer = GroupSigner(new_secret(), "show")
    ids = ParticipantIds(signer, groups)
    for gid in ("g0", "g517", "g999"):
        pid = ids.new(gid)
        assert len(pid) == PID_CHARS and ids.group_of(pid) == gid
        assert ids.group_of(pid[:-1] + ("a" if pid[-1] != "a" else "b")) is None  # forged mac
        other = pid[:10] + ParticipantIds(signer, groups).new("g1")[10:]  # another id's tag and mac
        assert ids.group_of(other) is None
    assert ParticipantIds(GroupSigner(new_secret(), "show"), groups).group_of(ids.new("g3")) is None
    assert ids.group_of("é" * PID_CHARS) is None and ids.group_of(None) is None and ids.group_of("short") is None


def test_a_surprise_shows_ids_have_a_keyed_group_tag():
    """Without the secret, an id says nothing of its group: the tag is not the group id's public hash,
    and it differs between secrets; the ids still carry their group for the conductor."""
    from flashmob.conductor.tokens import PID_RANDOM_CHARS, PID_TAG_CHARS, ParticipantIds, _group_tag
    from flashmob.contract.grouptokens import GroupSigner

    groups = ("red", "blue")
    tags = set()
    for key in (b"k" * 32, b"j" * 32):
        ids = ParticipantIds(GroupSigner(key, "show"), groups, secret_tags=True)
        for gid in groups:
            pid = ids.new(gid)
            tag = pid[PID_RANDOM_CHARS:PID_RANDOM_CHARS + PID_TAG_CHARS]
            assert ids.group_of(pid) == gid
            assert tag != _group_tag(gid)  # for these two keys (a 1-in-4096 coincidence otherwise)
            tags.add((key, gid, tag))
    assert len({t for _, _, t in tags}) == 4
    public = ParticipantIds(GroupSigner(b"k" * 32, "show"), groups)
    assert public.new("red")[PID_RANDOM_CHARS:PID_RANDOM_CHARS + PID_TAG_CHARS] == _group_tag("red")
