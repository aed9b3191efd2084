"""The ``dateTime`` cursor loses nothing while writers and pollers run at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.guest import Guest
from doorcheck.protocol.wire import OutgoingChange
from doorcheck.server.repository import StationRepository
from doorcheck.station.client import Credentials, StationClient
from tests.support import PG_ENV, Seeded, fresh_engine, pg_url, running_server, seed

WRITERS = 4
POLLERS = 3
GUESTS = 120


def view(guest: Guest) -> tuple[object, ...]:
    return (guest.check_in, guest.delete_time is not None, tuple(sorted(guest.companion_ids)))


def hammer(url: str, seeded: Seeded, repo: StationRepository | None) -> None:
    """Writers check guests in while pollers follow ``recent``; every poller must end
    up with exactly the server's final state."""
    stop = threading.Event()
    failures: list[BaseException] = []
    views: list[dict[str, tuple[object, ...]]] = []

    def client(station: str) -> StationClient:
        creds = Credentials(seeded.event_id, seeded.stations[station].app_code, station)
        return StationClient(url, creds)

    def writer(index: int) -> None:
        try:
            with client("Main Entrance" if index % 2 else "Side Door") as c:
                for guest in seeded.guests[index::WRITERS]:
                    c.push_changes(
                        [
                            OutgoingChange(
                                str(uuid.uuid4()), Action.CHECK_IN, guest.id, datetime.now(UTC)
                            )
                        ]
                    )
        except BaseException as exc:
            failures.append(exc)

    def admin_writer() -> None:
        assert repo is not None
        for guest in seeded.guests[:10]:
            repo.delete_guest(seeded.event_id, guest.id)

    def poller() -> None:
        try:
            with client("Main Entrance") as c:
                first = c.guests_all()
                seen = {g.id: view(g) for g in first.guests}
                cursor = first.date_time
                while True:
                    done = stop.is_set()
                    answer = c.guests_recent(cursor)
                    for g in answer.guests:
                        seen[g.id] = view(g)
                    cursor = answer.date_time
                    if done:
                        break
                views.append({k: v for k, v in seen.items() if not v[1]})
        except BaseException as exc:
            failures.append(exc)

    pollers = [threading.Thread(target=poller) for _ in range(POLLERS)]
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    if repo is not None:
        writers.append(threading.Thread(target=admin_writer))
    for thread in pollers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in pollers:
        thread.join()
    assert not failures, failures
    with client("Main Entrance") as c:
        truth = {g.id: view(g) for g in c.guests_all().guests}
    checked_in = sum(1 for v in truth.values() if v[0] is not None)
    assert checked_in >= GUESTS - 10
    assert len(views) == POLLERS
    for seen in views:
        assert seen == truth


@pytest.mark.slow
def test_cursor_under_concurrent_writers_and_pollers(database: str, tmp_path: Path) -> None:
    with running_server(fresh_engine(database, tmp_path)) as server:
        seeded = seed(server.repository, GUESTS)
        hammer(server.url, seeded, server.repository)


@pytest.fixture
def multiworker_server() -> Iterator[tuple[str, Seeded]]:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (.ci/run starts one)")
    url = pg_url()
    engine = fresh_engine("postgres", None)
    seeded = seed(StationRepository(engine), GUESTS)
    engine.dispose()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "doorcheck",
            "serve",
            "--db",
            url,
            "--workers",
            "3",
            "--port",
            "0",
            "--json",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        yield json.loads(line)["url"], seeded
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.slow
@pytest.mark.postgres
def test_cursor_with_several_uvicorn_workers_on_postgres(
    multiworker_server: tuple[str, Seeded],
) -> None:
    url, seeded = multiworker_server
    hammer(url, seeded, None)
