"""The replicated change log: version vector, catch-up, intake, conflicts noted."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from doorcheck.domain.changes import Action, ChangeNote
from doorcheck.domain.replication import LoggedChange
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.services.checkin import CheckInService
from doorcheck.store.database import MIGRATIONS, current_revision, open_engine
from doorcheck.store.local import LocalStore
from doorcheck.store.schema import SCHEMA_REVISION
from tests.support import T0, full_sync, wire

# A store of the test's kind, plain or encrypted (conftest.py).
OpenStore = Callable[[Path], LocalStore]


@pytest.fixture
def store(open_store: OpenStore, tmp_path: Path) -> LocalStore:
    opened = open_store(tmp_path / "door.sqlite3")
    full_sync(opened, [wire("g1", "C1", "Anna", "Alt"), wire("g2", "C2", "Ben", "Berg")])
    return opened


def change(
    origin: str, seq: int, guest: str = "g1", minutes: int = 0, **kw: object
) -> LoggedChange:
    values: dict[str, object] = {
        "origin": origin,
        "seq": seq,
        "nonce": f"{origin}-{seq}",
        "guest_id": guest,
        "action": Action.CHECK_IN,
        "door_time": T0 + timedelta(minutes=minutes),
        "station": f"Door {origin}",
    }
    values.update(kw)
    return LoggedChange(**values)  # type: ignore[arg-type]


def test_a_store_has_a_door_id_and_numbers_its_own_changes(store: LocalStore) -> None:
    service = CheckInService(store, "Main", Mode.CHECK_IN)
    service.scan("C1")
    service.scan("C2")
    door = store.log.door_id
    assert len(door) == 32
    assert store.log.vector() == {door: 2}
    assert [(c.origin, c.seq, c.guest_id) for c in store.log.after({})] == [
        (door, 1, "g1"), (door, 2, "g2")]  # fmt: skip
    assert [c.seq for c in store.log.after({door: 1})] == [2]
    assert store.log.after({door: 2}) == []


def test_accept_takes_each_change_once_in_any_order(store: LocalStore) -> None:
    first, second = change("A", 1), change("A", 2, guest="g2")
    assert [c.nonce for c in store.log.accept([second, first]).taken] == ["A-1", "A-2"]
    again = store.log.accept([first, second])
    assert (again.taken, again.held) == ([], 2)
    assert store.log.vector() == {"A": 2}
    # Learned from a peer, the check-in is laid over the server's copy like our own.
    view = store.guest_by_code("C1")
    assert view is not None and view.guest.is_checked_in and view.pending == 1
    assert [c.nonce for c in store.waiting_changes()] == ["A-1", "A-2"]


def test_changes_all_held_are_answered_without_the_write_lock(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Doors pass on what this one has; answering them must not take the store's write
    lock, which a scan at this door would wait for."""
    first, second = change("A", 1), change("A", 2, guest="g2")
    store.log.accept([first, second])

    def no_write(**_: object) -> None:
        raise AssertionError("a write transaction for changes all held")

    monkeypatch.setattr(store.db, "write", no_write)
    again = store.log.accept([second, first])
    assert (again.taken, again.held, again.refused, again.gaps) == ([], 2, 0, frozenset())
    # A forged copy among them is still refused and said so, without a write.
    forged = replace(first, nonce="forged")
    assert store.log.accept([forged]).refused == 1


def test_a_gap_is_not_filled_from_later_changes(store: LocalStore) -> None:
    accepted = store.log.accept([change("A", 1), change("A", 3, guest="g2")])
    assert [c.seq for c in accepted.taken] == [1]
    assert accepted.gaps == {"A"}
    assert store.log.vector() == {"A": 1}


def test_a_known_nonce_under_another_number_is_refused(store: LocalStore) -> None:
    store.log.accept([change("A", 1)])
    forged = replace(change("B", 1, guest="g2"), nonce="A-1")
    accepted = store.log.accept([forged])
    assert (accepted.taken, accepted.refused, accepted.gaps) == ([], 1, frozenset({"B"}))
    assert store.log.vector() == {"A": 1}


def test_a_companion_added_at_another_door_appears_here(store: LocalStore) -> None:
    companion = str(uuid.uuid4())
    store.log.accept([
        change("A", 1, guest=companion, action=Action.ADD_COMPANION, parent_id="g1",
               fields={"firstName": "Carla", "lastName": "Cruz"}),
        change("A", 2, guest=companion, minutes=1),
    ])  # fmt: skip
    view = store.guest_by_id(companion)
    assert view is not None
    assert view.guest.display_name == "Carla Cruz" and view.guest.is_checked_in
    main = store.guest_by_id("g1")
    assert main is not None and [c.id for c in main.companions] == [companion]


def test_two_check_ins_made_apart_are_noted_the_same_at_every_door(
    open_store: OpenStore, tmp_path: Path
) -> None:
    doors = []
    for name in ("a", "b"):
        door = open_store(tmp_path / f"{name}.sqlite3")
        full_sync(door, [wire("g1", "C1", "Anna", "Alt")])
        doors.append(door)
    a, b = doors
    at_b = CheckInService(b, "Side", Mode.CHECK_IN, clock=lambda: T0 + timedelta(minutes=1))
    at_a = CheckInService(a, "Main", Mode.CHECK_IN, clock=lambda: T0 + timedelta(minutes=5))
    assert at_a.scan("C1").verdict.kind == VerdictKind.ADMIT
    assert at_b.scan("C1").verdict.kind == VerdictKind.ADMIT
    a.log.accept(b.log.after(a.log.vector()))
    b.log.accept(a.log.after(b.log.vector()))
    assert a.log.vector() == b.log.vector()
    for door in (a, b):
        view = door.guest_by_code("C1")
        assert view is not None and view.guest.check_in_station == "Side"
        noted = [c for c in door.changes() if c.note is not None]
        assert [(c.note, c.note_data["station"]) for c in noted] == [
            (ChangeNote.SUPERSEDED, "Side")]  # fmt: skip
        # The later one, made at Main, is the one noted, at both doors.
        assert noted[0].nonce == next(c.nonce for c in a.log.after({}) if c.station == "Main")


def test_a_0004_store_gets_a_door_id_its_changes_keep(tmp_path: Path) -> None:
    path = tmp_path / "0004.sqlite3"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = open_engine(path)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO outbox (nonce, seq, guest_id, action, door_time, station, state,"
            " attempts, created) VALUES (?, ?, 'g1', 'checkIn', ?, 'Main', 'pending', 0, '')",
            [("n-1", 1, "2026-11-21T18:31:00+00:00"), ("n-2", 2, "2026-11-21T18:32:00+00:00")],
        )
    store = LocalStore.open(path)
    try:
        assert current_revision(store.db.engine) == SCHEMA_REVISION
        door = store.log.door_id
        assert store.log.vector() == {door: 2}
        assert [c.nonce for c in store.log.after({})] == ["n-1", "n-2"]
    finally:
        store.close()
