"""Helpers the tests share: a real station server on loopback, and clocks."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import uvicorn
from sqlalchemy import Engine

from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.server.app import create_app
from doorcheck.station.server.db import create_schema, make_engine, metadata
from doorcheck.station.server.repository import (
    GuestInput,
    ServerSettings,
    StationRepository,
)
from doorcheck.station.server.security import LoginBrake
from doorcheck.station.server.serve import bind
from doorcheck.station.wire import StationMode

PG_ENV = "DOORCHECK_TEST_PG_URL"


class FakeClock:
    """A settable wall clock for the server, so expiry can be tested without sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Station:
    name: str
    app_code: str


@dataclass
class RunningServer:
    url: str
    repository: StationRepository
    clock: FakeClock
    brake: LoginBrake
    event_id: str = ""
    stations: dict[str, Station] = field(default_factory=dict)
    guests: list[GuestInput] = field(default_factory=list)

    def client(self, station: str = "Main Entrance", **kwargs: object) -> StationClient:
        creds = Credentials(self.event_id, self.stations[station].app_code, station)
        return StationClient(self.url, creds, **kwargs)  # type: ignore[arg-type]

    def code_of(self, index: int) -> str:
        code = self.guests[index].access_code
        assert code is not None
        return code


def fresh_engine(kind: str, tmp_path: object) -> Engine:
    if kind == "postgres":
        url = os.environ[PG_ENV]
        engine = make_engine(url)
        metadata.drop_all(engine)
    else:
        engine = make_engine(f"sqlite:///{tmp_path}/station.sqlite3")
    create_schema(engine)
    return engine


@contextmanager
def running_server(
    engine: Engine, settings: ServerSettings | None = None
) -> Iterator[RunningServer]:
    clock = FakeClock()
    settings = settings or ServerSettings()
    settings.clock = clock
    repository = StationRepository(engine, settings)
    brake = LoginBrake()
    app = create_app(repository, brake)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", repository, clock, brake)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        engine.dispose()


@dataclass
class Seeded:
    event_id: str
    stations: dict[str, Station]
    guests: list[GuestInput]


def seed(repo: StationRepository, guests: int = 20) -> Seeded:
    """An event with stations of every mode and ``guests`` main guests with codes."""
    event_id = repo.create_event("Test Gala", company="Test Co")
    stations: dict[str, Station] = {}
    for name, mode, segment, code in (
        ("Main Entrance", StationMode.CHECK_IN, None, "main-code-1"),
        ("Side Door", StationMode.CHECK_IN, None, "side-code-2"),
        ("Cloakroom", StationMode.TOGGLE, None, "cloak-code-3"),
        ("Exit", StationMode.CHECK_OUT, None, "exit-code-4"),
        ("VIP Lounge", StationMode.CHECK_IN, "VIP", "vip-code-5"),
    ):
        repo.create_station(event_id, name, app_code=code, mode=mode, segment=segment)
        stations[name] = Station(name, code)
    created = [
        GuestInput(
            fields={"firstName": f"Gäst{i}", "lastName": "Müller", "customField47": ["vegan"]},
            access_code=f"CODE{i:04d}",
            segments=["VIP"] if i % 5 == 0 else ["General"],
        )
        for i in range(guests)
    ]
    repo.add_guests(event_id, created)
    return Seeded(event_id, stations, created)


def populate(server: RunningServer, guests: int = 20) -> RunningServer:
    seeded = seed(server.repository, guests)
    server.event_id, server.stations, server.guests = (
        seeded.event_id,
        seeded.stations,
        seeded.guests,
    )
    return server
