"""A door against a hostile station (tests/hostile_station.py) over real HTTP on
loopback, with a real store file: the door keeps working, loses nothing, and
never admits wrongly."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from doorcheck.connectors import web
from doorcheck.connectors.base import SourceError
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.protocol import errors
from doorcheck.services.checkin import CheckInService
from doorcheck.station import bounded
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.guests import GuestCopies
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import pull, push_pending
from tests.support.hostile_station import HostileStation, raw

CREDENTIALS = Credentials("123", "hostile-app-code", "Main Entrance")
SERVER_ZONE_NOON = "2026-11-21T12:00:00+02:00"


def guest(number: int, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": f"g{number:04d}",
        "parentId": None,
        "accessCode": f"CODE{number:04d}",
        "serverUpdateDateTime": "2026-11-21T10:00:00",
        "checkInDateTime": None,
        "checkOutDateTime": None,
        "deleteDateTime": None,
        "registrationState": "registered",
        "fields": {
            "firstName": f"Secretname{number}",
            "lastName": "Guest",
            "email": f"guest{number}@example.org",
        },
        "companions": [],
    }
    obj.update(extra)
    return obj


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    opened = LocalStore.open(tmp_path / "door.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def station() -> HostileStation:
    return HostileStation(date_time=SERVER_ZONE_NOON)


@pytest.fixture
def client(station: HostileStation) -> Iterator[StationClient]:
    with station.running() as url, StationClient(url, CREDENTIALS) as made:
        yield made


# -- 1. mixed date-time forms: a later answer always replaces an earlier one ----------

# Every form the seed and the vendors' older documents use for one instant, 10:30
# in the server's zone (+02:00), which a date-time without an offset is written in.
FORMS_OF_10_30 = [
    "2026-11-21T10:30:00+02:00",
    "2026-11-21T08:30:00Z",
    "2026-11-21T08:30:00+00:00",
    "2026-11-21T10:30:00",
    "2026-11-21 10:30:00",
    "2026-11-21T10:30:00.000+02:00",
    "2026-11-21T03:30:00-05:00",
]


def test_updates_in_mixed_date_forms_all_reach_the_door(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.guests = [guest(n) for n in range(220)]
    pull(store, client)
    # Every guest changed on the server at 10:30 server time, written in one of
    # the forms; some deleted, some checked in at another door.
    station.recent = []
    for n in range(220):
        form = FORMS_OF_10_30[n % len(FORMS_OF_10_30)]
        changed = guest(n, serverUpdateDateTime=form)
        if n % 2:
            changed["deleteDateTime"] = form
        elif n != 2:
            changed["checkInDateTime"] = form
            changed["checkInStationName"] = "Side Door"
        station.recent.append(changed)
    # This door's own check-in of g0002, not yet uploaded, while the server renames
    # the guest: the new copy comes, the check-in stays laid over it.
    service = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert service.scan("CODE0002").verdict.kind == VerdictKind.ADMIT
    renamed = station.recent[2]
    assert isinstance(renamed, dict)
    renamed["fields"] = {"firstName": "Renamed", "lastName": "Guest"}

    pull(store, client)

    for n in range(220):
        view = store.guest_by_id(f"g{n:04d}")
        assert view is not None
        if n % 2:
            assert view.guest.is_deleted, n
        elif n != 2:
            # An offset-less time is in the server's zone: 10:30 +02:00 everywhere.
            assert view.guest.check_in == datetime(2026, 11, 21, 8, 30, tzinfo=UTC), n
            assert view.guest.check_in_station == "Side Door"
    assert service.scan("CODE0003").verdict.kind == VerdictKind.DELETED
    mine = store.guest_by_id("g0002")
    assert mine is not None and mine.guest.fields["firstName"] == "Renamed"
    assert mine.guest.check_in is not None and mine.pending == 1


def test_an_offset_less_time_takes_the_zone_of_the_answer_even_after_the_guests(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.behaviours.add("date-time-last")
    station.guests = [guest(1, checkInDateTime="2026-11-21T11:00:00")]
    pull(store, client)  # the full list: no earlier answer to take a zone from
    station.recent = [guest(2, checkInDateTime="2026-11-21T11:15:00")]
    pull(store, client)  # the recent list: its since is the first answer's dateTime
    first, second = store.guest_by_id("g0001"), store.guest_by_id("g0002")
    assert first is not None and second is not None
    assert first.guest.check_in == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert second.guest.check_in == datetime(2026, 11, 21, 9, 15, tzinfo=UTC)


# -- 2. poisoned guests are set aside, the rest kept ------------------------------

POISONS = {
    "p-surrogate": '{"id": "p-surrogate", "parentId": "g0000", '
    '"fields": {"firstName": "Poisoned\\ud800Name"}}',
    "p-year-one": '{"id": "p-year-one", "checkInDateTime": "0001-01-01T00:00:00+14:00",'
    ' "fields": {"firstName": "Poisoned"}}',
    "p-digits": '{"id": "p-digits", "fields": {"firstName": "Poisoned"}, "n": ' + "7" * 5000 + "}",
    "p-deep": '{"id": "p-deep", "fields": {"firstName": "Poisoned"}, "x": '
    + "[" * 100_000
    + "]" * 100_000
    + "}",
    "p-bad-date": '{"id": "p-bad-date", "deleteDateTime": "yesterday-ish"}',
    "p-fields": '{"id": "p-fields", "fields": ["Poisoned"]}',
    # Past the 1 MiB a guest may take (liststream.MAX_GUEST_CHARS).
    "p-huge": '{"id": "p-huge", "fields": {"notes": "Poisoned' + "x" * (3 << 20) + '"}}',
}
NAMELESS = [
    "null",
    '"garbage"',
    "42",
    '{"fields": {"firstName": "Poisoned"}}',
    "[]",
    '{"id": "lone-\\udc00-surrogate", "fields": {"firstName": "Poisoned"}}',
    '{"id": "lone-\\udc00-and-deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
]


def test_a_poisoned_full_list_keeps_every_readable_guest(
    station: HostileStation,
    client: StationClient,
    store: LocalStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = [guest(n) for n in range(30)]
    station.guests = [*good[:10], *map(raw, POISONS.values()), *good[10:],
                      *map(raw, NAMELESS)]  # fmt: skip
    with caplog.at_level(logging.WARNING):
        full, written = pull(store, client, batch=7)
    assert full and written == len(good)
    for obj in good:
        assert store.guest_by_id(obj["id"]) is not None
    for guest_id in POISONS:
        assert store.guest_by_id(guest_id) is None
    assert store.status().unreadable == len(POISONS) + len(NAMELESS)
    assert store.status().guests == len(good)
    logged = caplog.text
    for guest_id in POISONS:
        assert guest_id in logged
    assert "Poisoned" not in logged and "Secretname" not in logged


def test_a_poisoned_recent_copy_replaces_the_old_one_until_a_readable_one_comes(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.guests = [guest(n) for n in range(5)]
    pull(store, client)
    # g0002 deleted on the server, but the copy saying so cannot be read: the door
    # must not go on admitting it from the old copy.
    station.recent = [
        guest(1, accessCode="NEW0001"),
        raw('{"id": "g0002", "deleteDateTime": "2026-11-21T10:00:00+02:00", "n": '
            + "9" * 5000 + "}"),
    ]  # fmt: skip
    pull(store, client)
    service = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert service.scan("CODE0002").verdict.kind != VerdictKind.ADMIT
    assert service.scan("NEW0001").verdict.kind == VerdictKind.ADMIT
    assert store.status().unreadable == 1
    station.recent = [guest(2, deleteDateTime="2026-11-21T10:00:00+02:00")]
    pull(store, client)
    assert service.scan("CODE0002").verdict.kind == VerdictKind.DELETED
    assert store.status().unreadable == 0


# -- 3. duplicate ids ------------------------------------------------------------------


def test_duplicate_ids_in_the_first_full_list_keep_the_later_copy(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.guests = [guest(n) for n in range(12)]
    station.guests.insert(3, guest(7, fields={"firstName": "Early", "lastName": "Copy"}))
    station.guests.append(guest(5, fields={"firstName": "Later", "lastName": "Copy"}))
    station.guests.append(guest(5, fields={"firstName": "Latest", "lastName": "Copy"}))
    pull(store, client, batch=4)  # duplicates within one batch and across batches
    assert store.status().guests == 12
    g5, g7 = store.guest_by_id("g0005"), store.guest_by_id("g0007")
    assert g5 is not None and g5.guest.fields["firstName"] == "Latest"
    assert g7 is not None and g7.guest.fields["firstName"] == "Secretname7"
    assert [hit.guest.id for hit in store.search("latest")] == ["g0005"]
    assert not store.search("early")
    with store.read() as conn:
        integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        conn.exec_driver_sql("INSERT INTO guest_search(guest_search) VALUES ('integrity-check')")
    assert integrity == "ok"


def test_an_sql_error_carries_no_guest_data(store: LocalStore) -> None:
    from doorcheck.domain.guest import Guest

    walk_in = Guest(id="w1", access_code="W1", fields={"firstName": "Privatename"})
    with store.write() as conn:
        store.add_local_guest(conn, walk_in)
    with pytest.raises(Exception) as failed, store.write() as conn:
        store.add_local_guest(conn, walk_in)  # the same id again
    assert "Privatename" not in str(failed.value)


# -- 5. bounds on what a server sends ------------------------------------------------


def test_a_gzip_bomb_in_the_login_answer_is_refused_early(
    station: HostileStation, client: StationClient
) -> None:
    station.behaviours.add("bomb:login")
    with pytest.raises(errors.AnswerTooLargeError) as refused:
        client.login()
    assert f"larger than {bounded.MAX_ANSWER_BYTES} bytes" in (refused.value.detail or "")


def test_a_gzip_bomb_in_the_guest_list_is_refused(
    station: HostileStation, client: StationClient, store: LocalStore, monkeypatch: Any
) -> None:
    monkeypatch.setattr(bounded, "MAX_LIST_BYTES", 64 << 20)
    station.behaviours.add("bomb:list")
    client.login()
    with pytest.raises(errors.AnswerTooLargeError):
        pull(store, client)
    assert store.get_state("cursor") is None


def test_a_recent_list_larger_than_a_small_answer_is_still_read(
    station: HostileStation, client: StationClient, monkeypatch: Any
) -> None:
    # A door back after long offline, or a server that re-stamped every guest, gets a
    # whole list from recent: it is bounded as a list, not as a login answer.
    monkeypatch.setattr(bounded, "MAX_ANSWER_BYTES", 4096)
    station.guests = [guest(n, notes="x" * 500) for n in range(1, 41)]
    station.recent = station.guests
    assert len(client.guests_recent("2026-01-01T00:00:00+00:00").guests) == 40
    assert len(client.guests_all().guests) == 40


def test_a_gzip_bomb_in_a_change_answer_is_refused(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.guests = [guest(1)]
    pull(store, client)
    CheckInService(store, "Main Entrance", Mode.CHECK_IN).scan("CODE0001")
    station.behaviours.add("bomb:changes")
    with pytest.raises(errors.AnswerTooLargeError):
        push_pending(store, StationChangeWriter(client))
    assert store.status().pending == 1  # kept, to upload again


@pytest.mark.parametrize("behaviour", ["trickle:list", "trickle-headers:list"])
def test_a_trickling_server_is_cut_off_at_the_deadline(
    behaviour: str, station: HostileStation, client: StationClient, store: LocalStore,
    monkeypatch: Any,
) -> None:  # fmt: skip
    monkeypatch.setattr(bounded, "REQUEST_SECONDS", 1.0)
    station.guests = [guest(1)]
    station.trickle_seconds = 0.05  # the answer would take ~30 s, each byte well in time
    client.login()
    station.behaviours.add(behaviour)
    with pytest.raises(errors.ServerTimeoutError):
        pull(store, client)


# -- 6. "applied" without a guest copy ------------------------------------------------


def test_applied_without_a_guest_keeps_the_check_in_until_the_server_copy_shows_it(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.guests = [guest(1), guest(2)]
    pull(store, client)
    station.behaviours.add("applied-without-guest")
    service = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert service.scan("CODE0001").verdict.kind == VerdictKind.ADMIT
    uploaded, _, _ = push_pending(store, StationChangeWriter(client))
    assert uploaded == 1 and store.status().pending == 0
    assert service.scan("CODE0001").verdict.kind == VerdictKind.ALREADY_IN
    assert store.status().checked_in == 1
    station.recent = [station.guests[0]]
    pull(store, client)
    assert service.scan("CODE0001").verdict.kind == VerdictKind.ALREADY_IN
    assert not [k for k in store_state_keys(store) if k.startswith("unconfirmed:")]


class Killed(BaseException):
    """The door's process ending at this instant (nothing after it runs)."""


def test_a_door_killed_while_storing_an_answer_still_knows_the_guest_is_in(
    station: HostileStation, client: StationClient, store: LocalStore, monkeypatch: Any
) -> None:
    # Seen in tests/integration/test_crash.py as one guest checked in twice: the answer was
    # committed, the server's copy in it was not, and the next scan admitted again.
    station.guests = [guest(1), guest(2)]
    pull(store, client)
    service = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert service.scan("CODE0001").verdict.kind == VerdictKind.ADMIT

    def killed(*args: Any, **kwargs: Any) -> int:
        raise Killed

    monkeypatch.setattr(GuestCopies, "store_rows", killed)
    with pytest.raises(Killed):
        push_pending(store, StationChangeWriter(client))
    monkeypatch.undo()
    assert service.scan("CODE0001").verdict.kind == VerdictKind.ALREADY_IN
    # The next round uploads it again under the same nonce; the server counts it once.
    push_pending(store, StationChangeWriter(client))
    assert store.status().pending == 0
    assert service.scan("CODE0001").verdict.kind == VerdictKind.ALREADY_IN


def store_state_keys(store: LocalStore) -> list[str]:
    with store.read() as conn:
        return [str(k) for k in conn.exec_driver_sql("SELECT key FROM sync_state").scalars()]


# -- 5. the same bounds for the other web sources (XING, Eventbrite, Event Cadence) ---


def test_a_source_sending_a_gzip_bomb_fails_in_words(station: HostileStation) -> None:
    station.behaviours.add("bomb:login")
    with station.running() as url, web.client(url, "key", timeout=5, transport=None) as http:
        with pytest.raises(SourceError) as refused:
            web.request_json(http, "XING Events", "POST", "/api/v1/login", {})
        assert (
            str(refused.value) == "XING Events sent a larger answer than the door accepts; we retry"
        )
        # Event Cadence posts and reads the answer itself: bounded all the same.
        with pytest.raises(SourceError), web.reaching("Event Cadence", forwarding=True):
            http.post("/api/v1/login", json={}).raise_for_status()


def test_a_source_trickling_its_answer_is_cut_off(
    station: HostileStation, monkeypatch: Any
) -> None:
    monkeypatch.setattr(bounded, "REQUEST_SECONDS", 1.0)
    station.trickle_seconds = 0.05
    station.behaviours.add("trickle:login")
    with station.running() as url, web.client(url, "key", timeout=5, transport=None) as http:
        with pytest.raises(SourceError) as refused:
            web.request_json(http, "Eventbrite", "POST", "/api/v1/login", {})
        assert "did not answer in time" in str(refused.value)


# -- 2. the set-aside count where staff see it --------------------------------------


def test_doorcheck_status_counts_the_guests_set_aside(
    station: HostileStation, tmp_path: Path
) -> None:
    from tests.support.cli import doorcheck

    station.guests = [guest(1), raw("null"), raw('{"id": "p-digits", "n": ' + "5" * 5000 + "}")]
    data = ["--data", tmp_path / "door"]
    with station.running() as url:
        login = ["login", "--server", url, "--event", "123", "--key", "hostile-app-code"]
        doorcheck(*login, "--station", "Main Entrance", *data)
        doorcheck("sync", *data)
    out = doorcheck("status", "--local", *data).stdout
    assert "Guests:          1" in out
    assert "Unreadable:      2 guests could not be read" in out


def test_the_status_bar_counts_the_guests_set_aside(qtbot: Any, store: LocalStore) -> None:
    from doorcheck.ui.status_bar import DoorStatusBar

    store.write_wire([(guest(1), json.dumps(guest(1))), (None, "null")])
    bar = DoorStatusBar("Main Entrance", "checkIn")
    qtbot.addWidget(bar)
    bar.show_store(store.status())
    assert bar.waiting.text() == "0 waiting, 1 guests could not be read"


def test_missing_fields_a_bare_guest_is_read_a_list_without_date_time_is_not(
    station: HostileStation, client: StationClient, store: LocalStore
) -> None:
    station.guests = [guest(1), {"id": "bare"}]
    station.behaviours.add("no-date-time")
    with pytest.raises(errors.BadResponseError):
        pull(store, client)
    assert store.get_state("cursor") is None  # the next round starts the full list anew
    station.behaviours.clear()
    full, written = pull(store, client)
    assert full and written == 2
    bare = store.guest_by_id("bare")
    assert bare is not None and not bare.guest.is_deleted and bare.guest.check_in is None
