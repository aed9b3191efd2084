"""The local store: migrations, server copies, the pending overlay, search."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from doorcheck.domain.changes import Action, ChangeNote
from doorcheck.protocol.wire import OutgoingChange
from doorcheck.store.cipher import StoreKey
from doorcheck.store.database import MIGRATIONS, current_revision, driver_connection, open_engine
from doorcheck.store.local import LocalStore
from doorcheck.store.schema import SCHEMA_REVISION, GuestRow
from doorcheck.wording import change_note
from tests.support import T0, full_sync, wire

# A store of the test's kind, plain or encrypted (conftest.py).
OpenStore = Callable[[Path], LocalStore]

DATA = Path(__file__).parent / "data"


@pytest.fixture
def store(open_store: OpenStore, tmp_path: Path) -> LocalStore:
    return open_store(tmp_path / "door.sqlite3")


def test_a_store_written_by_0_1_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript((DATA / "store_0001.sql").read_text(encoding="utf-8"))
    store = LocalStore.open(path)
    assert current_revision(store.db.engine) == SCHEMA_REVISION
    view = store.guest_by_code("ABC123")
    assert view is not None
    guest = view.guest
    assert guest.display_name == "Jürgen Gößmann"
    assert guest.extra["seatNumber"] == "A12"  # unknown fields survive the upgrade
    assert guest.check_in_station == "Main Entrance"
    assert [c.id for c in view.companions] == ["g-2"]
    # The waiting change is still waiting, and still laid over the server's copy.
    companion = store.guest_by_code("ABC124")
    assert companion is not None and companion.guest.is_checked_in and companion.pending == 1
    assert [c.nonce for c in store.waiting_changes()] == ["n-2"]
    assert store.get_state("cursor") == "2026-11-21T17:00:00.123456+00:00"
    # The companion is "of Jürgen Gößmann": both match, the guest himself first.
    assert [h.guest.id for h in store.search("gossm")] == ["g-1", "g-2"]
    status = store.status()
    assert (status.guests, status.checked_in, status.pending) == (2, 2, 1)
    store.close()
    # Opening again is a no-op, not a second migration.
    again = LocalStore.open(path)
    assert again.status().guests == 2


def store_at(path: Path, revision: str) -> None:
    """A store file as the doorcheck of that schema revision left it (empty)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = open_engine(path)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


# An outbox row as revision 0003 wrote it: nonce, seq, door time, state, message, code.
OLD_ROW = (
    "INSERT INTO outbox VALUES (?, ?, 'g-1', 'checkIn', ?, 'Main Entrance', NULL, NULL, NULL,"
    " ?, 1, NULL, ?, ?, '2026-11-21T17:00:00+00:00', NULL)"
)


def test_a_conflict_stored_as_a_sentence_becomes_a_code_with_data(tmp_path: Path) -> None:
    # Up to revision 0003 the door wrote its finding as an English sentence into the
    # column that holds the server's words; 0004 keeps it as a code and its data.
    path = tmp_path / "0003.sqlite3"
    store_at(path, "0003")
    at = "2026-11-21T17:30:00+00:00"
    with sqlite3.connect(path) as conn:
        conn.executemany(OLD_ROW, [
            ("n-1", 1, "2026-11-21T18:31:00+01:00", "conflict", f"Already checked in earlier "
             f"({at} at Side Door (north)); this check-in was not needed.", None),
            ("n-2", 2, "2026-11-21T18:32:00+01:00", "conflict",
             f"Already checked in earlier ({at}); this check-in was not needed.", None),
            ("n-3", 3, "2026-11-21T18:33:00+01:00", "conflict", "Checked in already.", None),
            ("n-4", 4, "2026-11-21T18:34:00+01:00", "rejected", "Guest unknown here.", 2000),
        ])  # fmt: skip
    store = LocalStore.open(path)
    try:
        assert current_revision(store.db.engine) == SCHEMA_REVISION
        rows = {c.nonce: c for c in store.changes()}
        assert (rows["n-1"].note, rows["n-1"].message) == (ChangeNote.SUPERSEDED, None)
        assert rows["n-1"].note_data == {"time": at, "station": "Side Door (north)"}
        assert rows["n-2"].note_data == {"time": at, "station": None}
        # Worded as before the upgrade, now from the code.
        assert str(change_note(rows["n-1"])) == (
            f"Already checked in earlier ({at} at Side Door (north)); this check-in was not needed."
        )
        assert str(change_note(rows["n-2"])) == (
            f"Already checked in earlier ({at}); this check-in was not needed."
        )
        # The server's own words are not ours to convert: kept as they came.
        assert (rows["n-3"].note, rows["n-3"].message) == (None, "Checked in already.")
        assert (rows["n-4"].note, rows["n-4"].message, rows["n-4"].code) == (
            None, "Guest unknown here.", 2000)  # fmt: skip
    finally:
        store.close()


def test_migrations_build_exactly_the_schema_the_code_uses(store: LocalStore) -> None:
    def ours(name: object, kind: str, *_: object) -> bool:
        return not (kind == "table" and str(name).startswith(("guest_search", "alembic")))

    with store.db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": ours, "compare_type": False}
        )
        differences = compare_metadata(context, GuestRow.metadata)
    assert differences == []


def test_a_later_answer_replaces_the_copy_whatever_its_time_stamps_say(
    store: LocalStore,
) -> None:
    # DESIGN.md §2.5: the server's latest answer is the truth about its copy. Its
    # serverUpdateDateTime may read earlier (no offset, another form, a clock set
    # back): the deletion it reports must still reach the door.
    full_sync(store, [wire("g1", "C1", "Anna", "Alt", updated=T0 + timedelta(minutes=5))])
    store.write_wire(
        [wire("g1", "C1", "Anna", "Alt", updated=T0, deleteDateTime="2026-11-21T17:00:00")]
    )
    view = store.guest_by_id("g1")
    assert view is not None and view.guest.is_deleted


def test_pending_changes_are_laid_over_every_server_copy(store: LocalStore) -> None:
    full_sync(store, [wire("g1", "C1", "Anna", "Alt")])
    change = OutgoingChange(str(uuid.uuid4()), Action.CHECK_IN, "g1", T0 + timedelta(hours=1))
    with store.write() as conn:
        store.add_changes(conn, [change], "Main Entrance")
    # A later server copy that does not know the check-in yet arrives.
    store.write_wire([wire("g1", "C1", "Anna", "Alt", updated=T0 + timedelta(minutes=30))])
    view = store.guest_by_id("g1")
    assert view is not None and view.guest.is_checked_in
    assert view.guest.check_in_station == "Main Entrance"
    assert view.pending == 1
    assert store.status().checked_in == 1


def test_a_full_sync_marks_guests_gone_from_the_server_deleted(store: LocalStore) -> None:
    full_sync(store, [wire("g1", "C1", "Anna", "A"), wire("g2", "C2", "Ben", "B")])
    full_sync(store, [wire("g1", "C1", "Anna", "A")], cursor="c2")
    gone = store.guest_by_code("C2")
    assert gone is not None and gone.guest.is_deleted
    assert store.status().guests == 1
    assert store.search("ben") == []


def test_search_ignores_case_and_accents_and_matches_prefixes(store: LocalStore) -> None:
    full_sync(
        store,
        [
            wire("g1", "QX7", "Jürgen", "Müller", company="x"),
            wire("g2", "QX8", "Łukasz", "Gößmann"),
            wire("g3", "ZZ9", "Søren", "Ørsted"),
            wire("c1", "QX9", "Companion 1", "of Jürgen", parent="g1"),
        ],
    )
    assert [h.guest.id for h in store.search("muller")] == ["g1"]
    assert [h.guest.id for h in store.search("MÜLL")] == ["g1"]
    assert [h.guest.id for h in store.search("gossmann")] == ["g2"]
    assert [h.guest.id for h in store.search("lukasz")] == ["g2"]
    assert [h.guest.id for h in store.search("orsted soren")] == ["g3"]
    assert {h.guest.id for h in store.search("j")} == {"g1", "c1"}
    assert [h.guest.id for h in store.search("zz9")] == ["g3"]  # by access code
    assert [h.guest.id for h in store.search("g3@example")] == ["g3"]  # by email
    (companion,) = [h for h in store.search("companion")]
    assert companion.main_name == "Jürgen Müller"
    assert store.search('"; DROP TABLE guests; --') == []
    assert store.search("   ") == []


def test_search_ranks_the_closer_match_first(store: LocalStore) -> None:
    full_sync(
        store,
        [
            wire("g1", "A1", "Maria", "Schmidt"),
            wire("g2", "A2", "Mario", "Marino"),
        ],
    )
    hits = [h.guest.id for h in store.search("mari")]
    assert hits[0] == "g2"  # both names match, so it ranks above one match


def indexes(path: Path, key: StoreKey | None = None) -> set[str]:
    conn = driver_connection(path, key)
    try:
        return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        conn.close()


def test_a_first_load_ends_with_every_index(store: LocalStore) -> None:
    full_sync(store, [wire("g1", "C1", "Anna", "Arendt")])
    assert {"ix_guests_access_code", "ix_guests_parent_id"} <= indexes(store.path, store.db.key)
    with closing(driver_connection(store.path, store.db.key)) as conn:
        plan = " ".join(
            str(r)
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT raw FROM guests WHERE access_code = 'C1'"
            )
        )
    assert "ix_guests_access_code" in plan


def test_an_interrupted_first_load_is_indexed_when_reopened(
    open_store: OpenStore, store_key: StoreKey | None, tmp_path: Path
) -> None:
    path = tmp_path / "door.sqlite3"
    store = open_store(path)
    generation = store.start_full_sync()
    store.write_wire([wire("g1", "C1", "Anna", "Arendt")], generation=generation)
    store.close()  # the process dies before finish_full_sync
    assert "ix_guests_access_code" not in indexes(path, store_key)  # paused for the load
    reopened = open_store(path)
    assert [h.guest.id for h in reopened.search("arendt")] == ["g1"]
    assert {"ix_guests_access_code", "ix_guests_parent_id"} <= indexes(path, store_key)
    # and the index follows later changes again
    reopened.write_wire([wire("g2", "C2", "Bea", "Bauer")])
    assert [h.guest.id for h in reopened.search("bauer")] == ["g2"]


def test_the_store_is_durable_and_private(store: LocalStore, tmp_path: Path) -> None:
    with closing(driver_connection(tmp_path / "door.sqlite3", store.db.key)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.write() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with store.write(durable=False) as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with store.write() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # restored


def test_the_store_folder_and_files_are_the_users_alone(
    open_store: OpenStore, tmp_path: Path
) -> None:
    # A folder and a database that exist already with laxer modes are made private.
    folder = tmp_path / "event" / "Main Entrance"
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    (folder / "door.sqlite3").touch(mode=0o644)
    (folder / "door.sqlite3").chmod(0o644)
    store = open_store(folder / "door.sqlite3")
    try:
        full_sync(store, [wire("g1", "C1", "Ann", "Arendt")])
        assert (folder / "door.sqlite3-wal").exists()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert modes == {name: 0o600 for name in modes}
        # and a new store's, as made
        fresh = open_store(tmp_path / "new" / "door.sqlite3")
        fresh.close()
        assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "new" / "door.sqlite3").stat().st_mode) == 0o600
    finally:
        store.close()


def test_a_broad_query_is_answered_fast_and_says_so(store: LocalStore) -> None:
    full_sync(
        store,
        [wire(f"g{i}", f"C{i}", f"Max{i}", "Muster") for i in range(1100)]
        + [wire("z", "Z", "Zora", "Zed")],
    )
    broad = store.search("m")
    assert broad.broad and len(broad) == 50
    narrow = store.search("zo")
    assert not narrow.broad and [h.guest.id for h in narrow] == ["z"]


def test_a_second_store_of_the_same_file_in_one_process_breaks_nothing(
    open_store: OpenStore, store_key: StoreKey | None, tmp_path: Path
) -> None:
    """A process that opens a door's file again (a window and a command run in it, a
    wipe's look at what waits) must not drop the first store's locks: opening the
    file outside SQLite and closing it releases every POSIX lock the process holds
    on it, and another process closing the file then thinks it is the last, removes
    the write-ahead log, and the first store loses sight of what was written (or
    fails with "disk I/O error")."""
    path = tmp_path / "door.sqlite3"
    first = open_store(path)
    first.set_setting("seen", "first")
    second = open_store(path)
    second.close()
    key = [store_key.text()] if store_key else []
    subprocess.run(  # `doorcheck status` in a terminal beside the window
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from doorcheck.store.cipher import StoreKey; "
         "from doorcheck.store.local import LocalStore; "
         "key = StoreKey.from_text(sys.argv[2]) if len(sys.argv) > 2 else None; "
         "LocalStore.open(Path(sys.argv[1]), key).close()", str(path), *key],
        check=True, timeout=60,
    )  # fmt: skip
    third = open_store(path)
    third.set_setting("seen", "third")
    third.close()
    assert first.get_setting("seen") == "third"
    first.set_setting("seen", "first again")
    first.close()
    again = open_store(path)
    assert again.get_setting("seen") == "first again"
    again.close()
