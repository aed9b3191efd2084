"""A property test of the mesh (issue 14): random check-ins and check-outs at random
doors, random meetings between them (partitions are the meetings that do not
happen), restarts and uploads, always end with every door and the server holding
the same state. Doors are real stores on real files exchanging their change logs
as the nodes do (log.after / log.accept); the server is the reference server over
real HTTP on loopback. The nodes' own transport is tested as processes in
test_peers.py."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorcheck.domain.verdict import Mode
from doorcheck.services.checkin import CheckInService, laptop_now
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import Backoff, StationSync
from tests.support import RunningServer, fresh_engine, running_server, seed

STATIONS = (("Cloakroom", Mode.TOGGLE), ("Main Entrance", Mode.CHECK_IN),
            ("Side Door", Mode.CHECK_IN))  # fmt: skip
# One door two hours behind, one a few minutes ahead: the hybrid clock orders them.
SKEWS = (timedelta(hours=-2), timedelta(0), timedelta(minutes=7))
GUESTS = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(fresh_engine("sqlite", tmp_path_factory.mktemp("server"))) as running:
        yield running


@dataclass
class Door:
    path: Path
    station: str
    mode: Mode
    clock: Callable[[], datetime]
    client: StationClient
    store: LocalStore
    service: CheckInService
    sync: StationSync

    @classmethod
    def open(cls, path: Path, server: RunningServer, event: str, code: str, number: int) -> Door:
        station, mode = STATIONS[number]
        ticks = iter(range(1, 10**6))
        start = laptop_now() + SKEWS[number]
        clock = lambda: start + timedelta(seconds=next(ticks))  # noqa: E731
        client = StationClient(server.url, Credentials(event, code, station),
                               timeout=httpx.Timeout(10))  # fmt: skip
        store = LocalStore.open(path / "door.sqlite3")
        door = cls(path, station, mode, clock, client, store, None, None)  # type: ignore[arg-type]
        door.start()
        return door

    def start(self) -> None:
        writer = StationChangeWriter(self.client)
        quick = Backoff(base=0.01, ceiling=0.05)
        self.sync = StationSync(self.store, self.client, writer, backoff=quick, clock=self.clock)
        self.service = CheckInService(self.store, self.station, self.mode, clock=self.clock)

    def restart(self) -> None:
        """As a door restarted: its store opened again, its clock from what it holds."""
        self.store.close()
        self.store = LocalStore.open(self.path / "door.sqlite3")
        self.start()

    def state(self, guest_ids: list[str]) -> list[tuple[bool, str | None]]:
        """Each guest as this door shows it: inside or not, and where it came in."""
        shown = []
        for guest_id in guest_ids:
            view = self.store.guest_by_id(guest_id)
            assert view is not None
            shown.append((view.guest.is_checked_in, view.guest.check_in_station))
        return shown


def meet(a: Door, b: Door) -> None:
    b.store.log.accept(a.store.log.after(b.store.log.vector(), limit=10_000))
    a.store.log.accept(b.store.log.after(a.store.log.vector(), limit=10_000))


operations = st.lists(
    st.one_of(
        st.tuples(st.just("scan"), st.integers(0, 2), st.integers(0, GUESTS - 1)),
        st.tuples(st.just("meet"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("restart"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("upload"), st.integers(0, 2), st.just(0)),
    ),
    min_size=5,
    max_size=20,
)


SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=10, deadline=None, suppress_health_check=SLOW_OK)
@given(operations)
def test_doors_and_the_server_always_end_holding_the_same_state(
    server: RunningServer, steps: list[tuple[str, int, int]]
) -> None:
    seeded = seed(server.repository, GUESTS)  # a fresh event for each example
    codes = [g.access_code or "" for g in seeded.guests]
    folder = Path(tempfile.mkdtemp())
    doors = [
        Door.open(folder / str(n), server, seeded.event_id, seeded.stations[name].app_code, n)
        for n, (name, _) in enumerate(STATIONS)
    ]
    try:
        for door in doors:
            assert door.sync.run_once() is not None  # the list, before the server "goes"
        guest_ids = [door.store.guest_by_code(code) for code in codes for door in doors[:1]]
        ids = [view.guest.id for view in guest_ids if view is not None]
        for kind, first, second in steps:
            if kind == "scan":
                doors[first].service.scan(codes[second])
            elif kind == "meet" and first != second:
                meet(doors[first], doors[second])
            elif kind == "restart":
                doors[first].restart()
            elif kind == "upload":
                doors[first].sync.run_once()
        # Every door meets every other (the partitions heal): they agree.
        for _ in range(2):
            for a in doors:
                for b in doors:
                    if a is not b:
                        meet(a, b)
        vectors = [door.store.log.vector() for door in doors]
        assert vectors[0] == vectors[1] == vectors[2]
        mesh = [door.state(ids) for door in doors]
        assert mesh[0] == mesh[1] == mesh[2]
        # The server returns: every door uploads what it holds, then pulls. The
        # server's state is the one the doors agreed on without it.
        for _ in range(2):
            for door in doors:
                assert door.sync.run_once() is not None
        for door in doors:
            assert door.store.status().pending == 0
            assert door.state(ids) == mesh[0]
    finally:
        for door in doors:
            door.store.close()
            door.client.close()
        shutil.rmtree(folder, ignore_errors=True)
