"""flashmob.conductor.store: the state record survives reopening; rows are per show."""

from flashmob.conductor import show as s
from flashmob.conductor.store import SqliteStore


def test_show_record_round_trip(tmp_path):
    db = tmp_path / "state.sqlite"
    store = SqliteStore(db)
    assert store.load_show("x") is None
    record = s.new_record(10_000_000)
    store.save_record("x", record)
    out = s.apply(record, s.Arm(start_at_us=20_000_000), 0)
    out += s.advance(out[-1].after, 20_000_000)
    store.save_transitions("x", out)
    store.close()
    again = SqliteStore(db)
    assert again.load_show("x") == out[-1].after
    assert again.transition_log("x") == [(1, "arm", "armed"), (2, "started", "running")]
    assert again.load_show("other") is None


def test_participants_and_announcements(tmp_path):
    store = SqliteStore(tmp_path / "db")
    store.add_participant("x", "p1", "red", 5)
    store.add_participant("x", "p1", "blue", 6)  # first group wins
    store.add_participant("y", "p2", "blue", 6)
    assert store.participants("x") == {"p1": "red"}
    for i in range(5):
        store.add_announcement("x", "info", f"n{i}", None, i)
    assert [r[2] for r in store.announcements("x", 3)] == ["n2", "n3", "n4"]


def test_secret_is_created_once(tmp_path):
    store = SqliteStore(tmp_path / "db")
    first = store.secret("group")
    store.close()
    assert SqliteStore(tmp_path / "db").secret("group") == first
    assert len(first) == 32


def test_an_empty_state_file_is_refused(tmp_path):
    """A truncated state file must not silently become a fresh show with a new group secret."""
    import pytest

    from flashmob.conductor.store import StoreError

    db = tmp_path / "state.sqlite"
    db.write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        SqliteStore(db)
    assert db.stat().st_size == 0  # left as it was


def test_a_state_file_that_is_not_sqlite_is_refused(tmp_path):
    import pytest

    from flashmob.conductor.store import StoreError

    db = tmp_path / "state.sqlite"
    db.write_bytes(b"this is not a database at all" * 10)
    with pytest.raises(StoreError, match="not a flashmob state file"):
        SqliteStore(db)


def test_an_unreadable_state_file_is_refused(tmp_path):
    import pytest

    from flashmob.conductor.store import StoreError

    db = tmp_path / "state.sqlite"
    db.mkdir()  # a directory where the file should be: cannot be read (root ignores file modes)
    with pytest.raises(StoreError, match="cannot be read"):
        SqliteStore(db)


def test_released_seats_are_deleted_and_legacy_rows_dropped_once(tmp_path):
    import sqlite3

    db = tmp_path / "db"
    legacy = sqlite3.connect(db, isolation_level=None)  # a database written before seats: every id ever issued
    from flashmob.conductor.store import SCHEMA

    legacy.executescript(SCHEMA)
    legacy.executemany("INSERT INTO participants VALUES (?,?,?,?)", [("x", f"fake{i}", "red", i) for i in range(350)])
    legacy.close()
    store = SqliteStore(db)
    assert store.participants("x") == {}
    store.add_participant("x", "alice", "red", 1)
    store.add_participant("x", "bob", "blue", 2)
    store.remove_participants("x", ("bob",))
    store.close()
    again = SqliteStore(db)  # the one-time cleanup does not run again
    assert again.participants("x") == {"alice": "red"}
