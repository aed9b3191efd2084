"""The sync engine against the real station server on loopback, with real files.

Faults come from the server's side of a real connection (tests/support.Faults),
never from a mocked client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from doorcheck.domain.changes import ChangeNote
from doorcheck.domain.timeutil import parse_datetime
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.server import db
from doorcheck.server.db import create_schema, make_engine
from doorcheck.services.checkin import CheckInService, laptop_now
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.cipher import StoreKey
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import Backoff, StationSync, SyncReport, wait_for
from doorcheck.views import SyncStatus
from doorcheck.wording import change_note
from tests.support import RunningServer, running_server


@dataclass
class Door:
    store: LocalStore
    client: StationClient
    engine: StationSync
    service: CheckInService
    statuses: list[SyncStatus]

    def close(self) -> None:
        self.engine.stop()
        self.client.close()
        self.store.close()


@pytest.fixture
def doors(tmp_path: Path) -> Iterator[Callable[..., Door]]:
    made: list[Door] = []

    def make(
        server: RunningServer,
        station: str = "Main Entrance",
        *,
        clock: Callable[[], datetime] | None = None,
        timeout: float = 5.0,
        key: StoreKey | None = None,
    ) -> Door:
        store = LocalStore.open(tmp_path / station / "door.sqlite3", key)
        creds = Credentials(server.event_id, server.stations[station].app_code, station)
        client = StationClient(server.url, creds, timeout=httpx.Timeout(timeout))
        statuses: list[SyncStatus] = []
        door_clock = clock or laptop_now
        engine = StationSync(
            store,
            client,
            StationChangeWriter(client),
            interval=0.2,
            backoff=Backoff(base=0.05, ceiling=0.2),
            on_status=statuses.append,
            clock=door_clock,
        )
        service = CheckInService(
            store, station, Mode.CHECK_IN, on_change=engine.nudge, clock=door_clock
        )
        door = Door(store, client, engine, service, statuses)
        made.append(door)
        return door

    yield make
    for door in made:
        door.close()


def first_sync(door: Door) -> SyncReport:
    """A sync that must succeed, retried: with a 1 s timeout (for the stall fault) a
    loaded two-core CI machine can miss one, and the test is about what follows."""
    for _ in range(10):
        report = door.engine.run_once()
        if report is not None:
            return report
    raise AssertionError(f"the sync never succeeded: {door.statuses[-1]}")


def server_check_ins(server: RunningServer, guest_id: str) -> list[tuple[str, str]]:
    with server.repository.engine.connect() as conn:
        rows = conn.execute(
            select(db.changes.c.nonce, db.changes.c.effect).where(
                db.changes.c.guest_id == guest_id, db.changes.c.action == "checkIn"
            )
        ).all()
    return [(r.nonce, r.effect) for r in rows]


def test_first_the_full_list_then_only_changes(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    door = doors(server)
    first = door.engine.run_once()
    assert first is not None and first.full and first.guests_received == len(server.guests)
    server.clock.advance(timedelta(seconds=1))
    server.repository.delete_guest(server.event_id, server.guests[0].id)
    second = door.engine.run_once()
    assert second is not None and not second.full and second.guests_received == 1
    assert door.service.scan(server.code_of(0)).verdict.kind == VerdictKind.DELETED
    assert door.statuses[-1].online is True


def test_offline_check_ins_queue_and_drain_when_the_server_returns(
    tmp_path: Path, doors: Callable[..., Door]
) -> None:
    from tests.support import populate

    engine = make_engine(f"sqlite:///{tmp_path}/station.sqlite3")
    create_schema(engine)
    with running_server(engine, dispose=False) as server:
        populate(server)
        door = doors(server, timeout=1.0)
        first_sync(door)
    # The server is gone: the door goes on admitting guests from its own data.
    outcome = door.service.scan(server.code_of(1))
    assert outcome.verdict.kind == VerdictKind.ADMIT
    assert door.engine.run_once() is None
    status = door.statuses[-1]
    assert status.online is False and status.retry_in is not None and status.retry_in > 0
    assert "Cannot reach" in str(status.last_error or "")
    assert door.store.status().pending == 1
    port = int(server.url.rsplit(":", 1)[1])
    with running_server(engine, port=port) as back:
        back.event_id, back.stations, back.guests = server.event_id, server.stations, server.guests
        # Retried if the 1 s timeout is missed: whatever reached the server, the
        # check-in is applied there exactly once and nothing waits any more.
        first_sync(door)
        assert door.store.status().pending == 0
        assert door.statuses[-1].online is True
        assert [e for _, e in server_check_ins(back, server.guests[1].id)] == ["applied"]


def test_an_encrypted_door_syncs_and_uploads_as_a_plain_one(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    door = doors(server, key=StoreKey.new())
    first = door.engine.run_once()
    assert first is not None and first.full and first.guests_received == len(server.guests)
    assert door.service.scan(server.code_of(1)).verdict.kind == VerdictKind.ADMIT
    report = door.engine.run_once()
    assert report is not None and report.uploaded == 1
    assert door.store.status().pending == 0
    assert [e for _, e in server_check_ins(server, server.guests[1].id)] == ["applied"]


@pytest.mark.parametrize("fault", ["500", "stall", "cut", "truncate"])
def test_a_failed_upload_is_retried_and_applied_exactly_once(
    server: RunningServer, doors: Callable[..., Door], fault: str
) -> None:
    door = doors(server, timeout=1.0)
    first_sync(door)
    door.service.scan(server.code_of(2))
    server.faults.next(fault)
    assert door.engine.run_once() is None
    assert door.statuses[-1].online is False
    assert door.store.status().pending == 1
    report = door.engine.run_once()
    assert report is not None and report.uploaded == 1
    assert door.store.status().pending == 0
    # "cut" and "truncate" reach the server: the resend is a duplicate, not a second one.
    assert [e for _, e in server_check_ins(server, server.guests[2].id)] == ["applied"]
    change = door.store.changes()[0]
    assert change.state in ("applied", "duplicate") and change.attempts == 2


@pytest.mark.parametrize("fault", ["500", "cut", "truncate"])
def test_a_failed_pull_changes_nothing_and_is_retried(
    server: RunningServer, doors: Callable[..., Door], fault: str
) -> None:
    door = doors(server)
    server.faults.next(fault)  # the full list fails
    assert door.engine.run_once() is None
    assert door.store.get_state("cursor") is None
    assert door.engine.run_once() is not None
    assert door.store.status().guests == len(server.guests)


def test_an_expired_session_is_renewed_without_the_steward_noticing(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    server.repository.settings.token_lifetime = timedelta(minutes=5)
    door = doors(server)
    door.engine.run_once()
    old = door.client.session_token
    server.clock.advance(timedelta(hours=2))
    door.service.scan(server.code_of(3))
    assert door.engine.run_once() is not None
    assert door.client.session_token != old
    assert door.store.status().pending == 0


def test_a_guest_deleted_while_a_change_waits_is_rejected_and_shown(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    door = doors(server)
    door.engine.run_once()
    door.service.scan(server.code_of(4))  # admitted from local data
    server.repository.delete_guest(server.event_id, server.guests[4].id)
    assert door.engine.run_once() is not None
    status = door.store.status()
    assert status.pending == 0 and status.rejected == 1
    (rejected,) = door.store.changes(("rejected",))
    assert rejected.message == "Guest was deleted from the guest list."
    assert door.service.scan(server.code_of(4)).verdict.kind == VerdictKind.DELETED


def test_two_doors_offline_admit_the_same_guest_and_converge(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    # Door times are hybrid-clock stamps, whole milliseconds (domain/hlc.py).
    start = datetime.now(UTC).replace(microsecond=0)
    main = doors(server, "Main Entrance", clock=lambda: start + timedelta(minutes=5))
    side = doors(server, "Side Door", clock=lambda: start + timedelta(minutes=1))
    main.engine.run_once()
    side.engine.run_once()
    guest = server.guests[5]
    # Both offline: each admits the guest from its own data.
    assert main.service.scan(guest.access_code or "").verdict.kind == VerdictKind.ADMIT
    assert side.service.scan(guest.access_code or "").verdict.kind == VerdictKind.ADMIT
    # Back online, the later door time uploads first, then the earlier one.
    main.engine.run_once()
    side.engine.run_once()
    main.engine.run_once()
    for door in (main, side):
        view = door.store.guest_by_id(guest.id)
        assert view is not None
        assert view.guest.check_in == start + timedelta(minutes=1)
        assert view.guest.check_in_station == "Side Door"
    effects = sorted(e for _, e in server_check_ins(server, guest.id))
    assert effects == ["applied", "conflict"]
    conflicts = main.store.status().conflicts + side.store.status().conflicts
    assert conflicts == 1
    (reported,) = main.store.changes(("conflict",))
    # Kept as a code with its data, not a sentence; worded where it is shown.
    assert (reported.note, reported.message) == (ChangeNote.SUPERSEDED, None)
    assert reported.note_data["station"] == "Side Door"
    earlier = parse_datetime(reported.note_data["time"])
    assert earlier == start + timedelta(minutes=1)
    assert str(change_note(reported)) == (
        f"Already checked in earlier ({reported.note_data['time']} at Side Door);"
        " this check-in was not needed."
    )


def test_a_laptop_clock_two_hours_wrong_loses_and_misorders_nothing(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    wrong = lambda: datetime.now(UTC) - timedelta(hours=2)  # noqa: E731
    door = doors(server, clock=wrong)
    other = doors(server, "Side Door")
    door.engine.run_once()
    other.engine.run_once()
    codes = [server.code_of(i) for i in (6, 7, 8)]
    for code in codes:
        door.service.scan(code)
    other.service.scan(server.code_of(9))
    assert door.engine.run_once() is not None
    assert other.engine.run_once() is not None
    assert door.engine.run_once() is not None  # pulls the other door's check-in
    assert door.store.status().pending == 0
    for index in (6, 7, 8):
        assert [e for _, e in server_check_ins(server, server.guests[index].id)] == ["applied"]
    # The other door's check-in reached this door although its clock is 2 h behind:
    # the cursor is the server's dateTime, never the laptop's clock.
    view = door.store.guest_by_code(server.code_of(9))
    assert view is not None and view.guest.check_in_station == "Side Door"
    times = [c.door_time for c in door.store.changes()]  # newest first, as made
    assert times == sorted(times, reverse=True)
    # Measured at login against the server's Date header, and told to the steward.
    skew = door.store.status().clock_skew_seconds
    assert skew is not None and abs(skew + 7200) < 5


def test_the_engine_thread_uploads_right_after_a_scan(
    server: RunningServer, doors: Callable[..., Door]
) -> None:
    door = doors(server)
    door.engine.interval = 60.0  # only the nudge can make it upload in time
    door.engine.start()
    assert wait_for(lambda: door.store.get_state("cursor") is not None, 10)
    door.service.scan(server.code_of(10))
    assert wait_for(lambda: door.store.status().pending == 0, 10)
    assert any(s.online for s in door.statuses)


def test_backoff_grows_with_jitter_up_to_its_ceiling() -> None:
    backoff = Backoff(base=1.0, ceiling=8.0, rng=lambda: 1.0)
    delays = [backoff.next_delay() for _ in range(6)]
    assert delays == [1.2, 2.2, 4.2, 8.2, 8.2, 8.2]
    low = Backoff(base=1.0, ceiling=8.0, rng=lambda: 0.0)
    assert low.next_delay() == 0.2  # full jitter: never zero, never in step
    backoff.reset()
    assert backoff.next_delay() == 1.2
