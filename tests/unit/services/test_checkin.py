"""Scans decided and recorded durably in one transaction; undo; parties; companions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.codes import InvalidCode
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.wording import headline
from tests.support import full_sync, wire


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    full_sync(
        store,
        [
            wire("g1", "CODE1", "Jane", "Doe"),
            wire("c1", "CODE2", "Plus", "One", parent="g1"),
            wire("c2", "CODE3", "Plus", "Two", parent="g1"),
            wire("gx", "CODE9", "Gone", "Away", deleteDateTime="2026-11-20T10:00:00+00:00"),
            wire("gd", "CODE8", "Dee", "Registered", registrationState="deregistered"),
        ],
    )
    return store


def service(
    store: LocalStore, mode: Mode = Mode.CHECK_IN, clock: Callable[[], datetime] | None = None
) -> tuple[CheckInService, list[int]]:
    nudges: list[int] = []
    return CheckInService(
        store, "Main Entrance", mode, clock=clock or Clock(), on_change=lambda: nudges.append(1)
    ), nudges


def outbox_rows(store: LocalStore) -> list[tuple[str, str, str]]:
    # A separate plain connection: what is on disk, not what a session caches.
    with sqlite3.connect(store.path) as conn:
        return list(conn.execute("SELECT guest_id, action, state FROM outbox ORDER BY seq"))


def test_an_admitted_scan_is_on_disk_before_the_answer(store: LocalStore) -> None:
    door, nudges = service(store)
    outcome = door.scan("CODE1", "camera")
    assert outcome.verdict.kind == VerdictKind.ADMIT
    assert outbox_rows(store) == [("g1", "checkIn", "pending")]
    assert nudges == [1]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT code, source, verdict FROM scans").fetchall() == [
            ("CODE1", "camera", "admit")
        ]


def test_a_second_scan_says_already_in_and_records_nothing(store: LocalStore) -> None:
    door, _ = service(store)
    door.scan("CODE1")
    again = door.scan("CODE1")
    assert again.verdict.kind == VerdictKind.ALREADY_IN
    assert again.verdict.station == "Main Entrance"
    assert len(outbox_rows(store)) == 1


def test_every_verdict_kind_is_reachable_by_scanning(store: LocalStore) -> None:
    door, _ = service(store)
    assert door.scan("NOPE").verdict.kind == VerdictKind.NOT_ON_LIST
    assert door.scan("CODE9").verdict.kind == VerdictKind.DELETED
    assert door.scan("CODE8").verdict.kind == VerdictKind.DEREGISTERED
    invalid = door.scan("\x00\x01")
    assert invalid.verdict.kind == VerdictKind.INVALID_CODE and invalid.code is None
    assert invalid.verdict.invalid == InvalidCode.EMPTY
    assert str(headline(invalid)) == "The code is empty."
    companion = door.scan("CODE2")
    assert companion.verdict.kind == VerdictKind.ADMIT
    assert companion.main_guest is not None and companion.main_guest.id == "g1"
    assert "companion of Jane Doe" in str(headline(companion))
    assert outbox_rows(store) == [("c1", "checkIn", "pending")]


def test_a_main_guests_scan_lists_the_companions(store: LocalStore) -> None:
    door, _ = service(store)
    outcome = door.scan("CODE1")
    assert [c.id for c in outcome.companions] == ["c1", "c2"]
    assert str(headline(outcome)) == "Welcome, Jane Doe (+2)"


def test_undo_within_15_seconds_takes_the_check_in_back(store: LocalStore) -> None:
    clock = Clock()
    door, _ = service(store, clock=clock)
    door.scan("CODE1")
    clock.now += timedelta(seconds=14)
    assert door.undo_last()
    view = store.guest_by_code("CODE1")
    assert view is not None and not view.guest.is_checked_in
    assert [a for _, a, _ in outbox_rows(store)] == ["checkIn", "undo"]
    assert not door.undo_last()  # only once
    assert door.scan("CODE1").verdict.kind == VerdictKind.ADMIT


def test_undo_after_15_seconds_is_refused(store: LocalStore) -> None:
    clock = Clock()
    door, _ = service(store, clock=clock)
    door.scan("CODE1")
    clock.now += timedelta(seconds=16)
    assert not door.undo_last()
    view = store.guest_by_code("CODE1")
    assert view is not None and view.guest.is_checked_in


def test_party_check_in_is_one_transaction_and_one_undo(store: LocalStore) -> None:
    door, _ = service(store)
    outcomes = door.check_in_party("g1", ["c1", "c2"])
    assert [o.verdict.kind for o in outcomes] == [VerdictKind.ADMIT] * 3
    assert {g for g, _, _ in outbox_rows(store)} == {"g1", "c1", "c2"}
    assert door.undo_last()
    assert all(
        not store.guest_by_id(g).guest.is_checked_in  # type: ignore[union-attr]
        for g in ("g1", "c1", "c2")
    )


def test_a_companion_added_at_the_door_is_shown_at_once(store: LocalStore) -> None:
    door, _ = service(store)
    companion = door.add_companion("g1", {"firstName": "Walk", "lastName": "In"})
    view = store.guest_by_id(companion.id)
    assert view is not None and view.guest.is_checked_in
    assert view.main_guest is not None and view.main_guest.id == "g1"
    assert [a for _, a, _ in outbox_rows(store)] == ["addCompanion", "checkIn"]
    main = store.guest_by_id("g1")
    assert main is not None and companion.id in [c.id for c in main.companions]
    with pytest.raises(KeyError):
        door.add_companion("nobody", {"firstName": "X"})


def test_manual_check_out_at_a_toggle_station(store: LocalStore) -> None:
    door, _ = service(store, Mode.TOGGLE)
    door.scan("CODE1")
    out = door.act("g1", Action.CHECK_OUT)
    assert out.verdict.kind == VerdictKind.EXIT
    view = store.guest_by_id("g1")
    assert view is not None and not view.guest.is_checked_in


def test_door_times_keep_the_order_changes_were_made_in(store: LocalStore) -> None:
    clock = Clock()
    door, _ = service(store, Mode.TOGGLE, clock=clock)
    door.scan("CODE1")  # in
    door.scan("CODE1")  # out, in the same microsecond
    clock.now -= timedelta(hours=1)  # the laptop's clock steps back
    door.scan("CODE1")  # in again
    changes = store.waiting_changes()
    times = [c.door_time for c in changes]
    assert times == sorted(times) and len(set(times)) == 3
    view = store.guest_by_id("g1")
    assert view is not None and view.guest.is_checked_in
    # A new service on the same store (a restart) continues after the last door time.
    again, _ = service(store, Mode.TOGGLE, clock=clock)
    again.scan("CODE1")
    assert store.waiting_changes()[-1].door_time > times[-1]


def test_undo_of_an_uploaded_check_in_shows_at_once(store: LocalStore) -> None:
    from doorcheck.protocol.wire import ChangeOutcome, ChangeResult, guest_from_json

    door, _ = service(store)
    outcome = door.scan("CODE1")
    (nonce,) = outcome.nonces
    # The server answers: applied, and its copy of the guest now holds the check-in.
    view = store.guest_by_id("g1")
    assert view is not None
    server_copy = guest_from_json(wire("g1", "CODE1", "Jane", "Doe")[0])
    server_copy.check_in = view.guest.check_in
    server_copy.check_in_station = "Main Entrance"
    server_copy.server_update = datetime(2026, 11, 21, 19, tzinfo=UTC)
    store.record_results([ChangeResult(nonce, ChangeOutcome.APPLIED, guest=server_copy)])
    assert store.status().pending == 0
    assert door.undo_last()
    view = store.guest_by_id("g1")
    assert view is not None and not view.guest.is_checked_in
    assert store.status().checked_in == 0


def test_a_check_in_overtaken_by_an_earlier_one_is_kept_as_a_code(store: LocalStore) -> None:
    # Both doors offline: ours admitted the guest, and the server, answering "applied",
    # later shows an earlier check-in from the side door. The store keeps what was
    # found as a code and its data, not a sentence; the wording module words it.
    from doorcheck.domain.changes import ChangeNote
    from doorcheck.domain.timeutil import format_datetime, parse_datetime, to_utc
    from doorcheck.protocol.wire import ChangeOutcome, ChangeResult
    from doorcheck.wording import change_note

    door, _ = service(store)
    (nonce,) = door.scan("CODE1").nonces
    store.record_results([ChangeResult(nonce, ChangeOutcome.APPLIED)])
    (ours,) = store.changes()
    earlier = datetime.fromisoformat(ours.door_time) - timedelta(minutes=1)
    store.write_wire([
        wire("g1", "CODE1", "Jane", "Doe", updated=earlier + timedelta(hours=1),
             checkInDateTime=earlier.isoformat(), checkInStationName="Side Door")
    ])  # fmt: skip
    (found,) = store.changes(("conflict",))
    assert (found.nonce, found.note, found.message) == (nonce, ChangeNote.SUPERSEDED, None)
    assert found.note_data.keys() == {"time", "station"}
    assert found.note_data["station"] == "Side Door"
    when = found.note_data["time"]
    assert when is not None and parse_datetime(when) == earlier
    assert when == format_datetime(to_utc(earlier))  # as the server's copy holds it
    assert str(change_note(found)) == (
        f"Already checked in earlier ({when} at Side Door); this check-in was not needed."
    )


# -- what the answer adds for the steward: attention texts and tags --------------------


def test_an_admitted_guest_brings_the_stations_attention_texts_and_tags(
    tmp_path: Path,
) -> None:
    import json

    from doorcheck.services.checkin import station_service

    store = LocalStore.open(tmp_path / "door.sqlite3")
    vip = wire("v1", "VIP1", "Vera", "Important")
    vip[0]["fields"].update({"customField1": "VIP", "attention": "Allergic to nuts"})
    full_sync(store, [(vip[0], json.dumps(vip[0])), wire("g1", "CODE1", "Jane", "Doe")])
    configuration = {
        "mode": "checkIn",
        "attention": [{"field": "customField1", "value": "VIP", "text": "VIP: to the lounge"}],
        "tagFields": ["customField1"],
    }
    store.set_state("event", json.dumps({"id": "e", "configuration": configuration}))
    door = station_service(store, "Main Entrance")
    outcome = door.scan("VIP1")
    assert outcome.verdict.kind == VerdictKind.ADMIT
    assert outcome.attention == ("Allergic to nuts", "VIP: to the lounge")
    assert outcome.tags == ("VIP",) and outcome.needs_attention
    # A second scan: already in, nobody to flag now; a guest without: no flag.
    assert door.scan("VIP1").attention == ()
    plain = door.scan("CODE1")
    assert plain.verdict.kind == VerdictKind.ADMIT and not plain.needs_attention
    store.close()


def test_a_broken_attention_configuration_is_logged_and_the_door_still_decides(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    from doorcheck.services.checkin import station_service

    store = LocalStore.open(tmp_path / "door.sqlite3")
    full_sync(store, [wire("g1", "CODE1", "Jane", "Doe")])
    store.set_state("event", json.dumps({"id": "e", "configuration": {"attention": {"x": 1}}}))
    door = station_service(store, "Main Entrance")
    assert door.scan("CODE1").verdict.kind == VerdictKind.ADMIT
    assert "attention is not a list" in caplog.text
    store.close()
