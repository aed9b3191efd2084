"""Helpers the tests share: a real station server on loopback, and clocks."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from sqlalchemy import Engine

from doorcheck.protocol.liststream import WireGuest
from doorcheck.protocol.wire import StationMode
from doorcheck.server.app import create_app
from doorcheck.server.brake import BrakeSettings, LoginBrake
from doorcheck.server.connections import DEFAULT_LIMITS, ConnectionLimits, uvicorn_options
from doorcheck.server.db import create_schema, make_engine, metadata
from doorcheck.server.repository import (
    GuestInput,
    ServerSettings,
    StationRepository,
)
from doorcheck.server.serve import bind
from doorcheck.station.client import Credentials, StationClient
from doorcheck.store.local import LocalStore

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


class Faults:
    """Faults for the next requests, one per request, in order (an ASGI wrapper).

    ``500``: an HTTP 500 with a plain-text body. ``stall``: no answer for 3 s.
    ``cut``: the connection closes after part of the answer. ``truncate``: the body
    stops halfway, with a Content-Length that matches, so it is well-formed HTTP
    carrying broken JSON. The request reaches the real app in ``cut`` and
    ``truncate``, so a change may be applied while its answer is lost.
    """

    def __init__(self) -> None:
        self.pending: list[str] = []

    def next(self, *faults: str) -> None:
        self.pending.extend(faults)

    def wrap(self, app: Any) -> Any:
        async def faulty(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or not self.pending:
                await app(scope, receive, send)
                return
            fault = self.pending.pop(0)
            if fault == "500":
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            elif fault == "stall":
                await asyncio.sleep(3)
                await app(scope, receive, send)
            else:
                await self._damaged(app, fault, scope, receive, send)

        return faulty

    @staticmethod
    async def _damaged(app: Any, fault: str, scope: Any, receive: Any, send: Any) -> None:
        start: dict[str, Any] = {}
        body = bytearray()

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                body.extend(message.get("body", b""))

        await app(scope, receive, capture)
        half = bytes(body[: len(body) // 2])
        headers = [
            (k, v)
            for k, v in start["headers"]
            if k.lower() not in (b"content-length", b"content-encoding")
        ]
        if fault == "truncate":
            headers.append((b"content-length", str(len(half)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": half})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": half, "more_body": True})
        raise ConnectionAbortedError("fault injected: connection cut mid-answer")


@dataclass
class RunningServer:
    url: str
    repository: StationRepository
    clock: FakeClock
    brake: LoginBrake
    faults: Faults = field(default_factory=Faults)
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


@functools.cache
def pg_url() -> str:
    """The test PostgreSQL database; under pytest-xdist, a schema of this worker's own
    in it (every connection's search_path), so workers never drop each other's tables."""
    url = os.environ[PG_ENV]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    schema = "doorcheck_" + "".join(c for c in worker if c.isalnum())
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    finally:
        engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def fresh_engine(kind: str, tmp_path: object) -> Engine:
    if kind == "postgres":
        url = pg_url()
        engine = make_engine(url)
        metadata.drop_all(engine)
    else:
        engine = make_engine(f"sqlite:///{tmp_path}/station.sqlite3")
    create_schema(engine)
    return engine


@contextmanager
def running_server(
    engine: Engine,
    settings: ServerSettings | None = None,
    port: int = 0,
    clock: FakeClock | None = None,
    dispose: bool = True,
    limits: ConnectionLimits | None = None,
    brake_settings: BrakeSettings | None = None,
) -> Iterator[RunningServer]:
    clock = clock or FakeClock()
    settings = settings or ServerSettings()
    settings.clock = clock
    repository = StationRepository(engine, settings)
    brake = LoginBrake(engine, clock, brake_settings)
    faults = Faults()
    app = faults.wrap(create_app(repository, brake))
    sock = bind("127.0.0.1", port)
    port = sock.getsockname()[1]
    # "critical": the faults injected on purpose would otherwise log tracebacks.
    config = uvicorn.Config(
        app,
        log_level="critical",
        access_log=False,
        lifespan="off",
        **uvicorn_options(limits or DEFAULT_LIMITS),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", repository, clock, brake, faults)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        if dispose:
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


def settled(qtbot: Any, widget: Any, timeout: int = 10_000) -> None:
    """Every task of ``widget`` and of its children answered (``doorcheck.ui.tasks``):
    what a test waits for before it reads what a search or an action shows. A task
    is counted from the moment it is started, so this never returns too early."""
    from doorcheck.ui.tasks import TaskRunner

    qtbot.waitUntil(
        lambda: not any(runner.busy for runner in widget.findChildren(TaskRunner)),
        timeout=timeout,
    )


# -- guest lists as a station sends them, for store-level tests --------------------

T0 = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)


def wire(
    guest_id: str,
    code: str,
    first: str,
    last: str,
    *,
    updated: datetime = T0,
    parent: str | None = None,
    **extra: Any,
) -> WireGuest:
    obj: dict[str, Any] = {
        "id": guest_id,
        "parentId": parent,
        "accessCode": code,
        "serverUpdateDateTime": updated.isoformat(),
        "checkInDateTime": None,
        "checkOutDateTime": None,
        "deleteDateTime": None,
        "registrationState": "registered",
        "fields": {"firstName": first, "lastName": last, "email": f"{guest_id}@example.org"},
        "companions": [],
    }
    obj.update(extra)
    return obj, json.dumps(obj, ensure_ascii=False)


def full_sync(store: LocalStore, guests: list[WireGuest], cursor: str = "c1") -> None:
    generation = store.start_full_sync()
    store.write_wire(guests, generation=generation)
    store.finish_full_sync(generation, cursor)
