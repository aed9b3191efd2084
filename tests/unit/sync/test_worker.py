"""Workers never die silently: real failures (a full store, a store locked by another
connection, a broken table, a missing file, a refused App Code), each reported in
words while the worker keeps running, persisted for `doorcheck status`, and cleared
when the worker recovers."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from doorcheck.domain.verdict import Mode
from doorcheck.paths import store_path
from doorcheck.services.checkin import CheckInService
from doorcheck.services.store_watch import StoreSnapshot, StoreWatcher
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.credentials import SavedLogin
from doorcheck.store.local import LocalStore
from doorcheck.sync.guest_sources import connector_for
from doorcheck.sync.health import WorkerHealth, stored_failures
from doorcheck.sync.source_sync import SourceSync
from doorcheck.sync.station_sync import StationSync, wait_for
from doorcheck.sync.worker import Backoff
from tests.support import RunningServer, fresh_engine, populate, running_server
from tests.support.cli import doorcheck

QUICK = 0.05  # seconds between rounds


def quick_backoff() -> Backoff:
    return Backoff(base=0.01, ceiling=0.05)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(fresh_engine("sqlite", tmp_path)) as running:
        # Enough guests that a first sync needs pages the store does not have: a
        # handful fit in the pages a bulk load frees when it drops the indexes.
        yield populate(running, guests=300)


@contextmanager
def connections_with(store: LocalStore, *pragmas: str) -> Iterator[None]:
    """Every new connection of the store runs ``pragmas`` (a real SQLite limit)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        for pragma in pragmas:
            dbapi_connection.execute(pragma)

    engine = store.db.engine
    event.listen(engine, "connect", on_connect)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()


def page_count(store: LocalStore) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())


@contextmanager
def disk_full(store: LocalStore) -> Iterator[None]:
    """The store's file may not grow: SQLite answers SQLITE_FULL, "database or disk is
    full", exactly as on a full disk."""
    with connections_with(store, f"PRAGMA max_page_count={page_count(store)}"):
        yield


def logged_in_door(server: RunningServer, data: Path) -> LocalStore:
    doorcheck("login", "--server", server.url, "--event", server.event_id,
              "--key", server.stations["Main Entrance"].app_code,
              "--station", "Main Entrance", "--data", data)  # fmt: skip
    return LocalStore.open(store_path(data, server.event_id, "Main Entrance"))


def engine_for(store: LocalStore, client: StationClient, seen: list[WorkerHealth]) -> StationSync:
    return StationSync(store, client, StationChangeWriter(client), backoff=quick_backoff(),
                      on_health=seen.append, interval=QUICK)  # fmt: skip


def status_text(data: Path) -> str:
    return doorcheck("status", "--local", "--data", data).stdout


def test_sync_on_a_full_disk_keeps_running_reports_and_recovers(
    server: RunningServer, tmp_path: Path
) -> None:
    data = tmp_path / "door"
    store = logged_in_door(server, data)
    client = server.client()
    seen: list[WorkerHealth] = []
    engine = engine_for(store, client, seen)
    try:
        with disk_full(store):
            engine.start()
            assert wait_for(lambda: engine.health.failing is not None, 30)
            assert "disk is full" in str(engine.health.failing)
            assert not engine.health.stopped
            # Another process (the status command) reads what the worker reported.
            shown = status_text(data)
            assert "Sync:" in shown and "failing: The laptop's disk is full" in shown
            assert store.get_state("cursor") is None
            assert engine.running
        # Space again: the same thread syncs, and the report is cleared everywhere.
        assert wait_for(lambda: store.get_state("cursor") is not None, 30)
        assert wait_for(lambda: engine.health.failing is None, 30)
        assert engine.running
        assert seen[-1] == WorkerHealth("sync")
        assert stored_failures(store) == []
        assert "failing" not in status_text(data)
        assert store.status().guests == len(server.guests)
    finally:
        engine.stop()
        store.close()
        client.close()


def test_sync_with_the_store_locked_by_another_connection_recovers(
    server: RunningServer, tmp_path: Path
) -> None:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    client = server.client()
    seen: list[WorkerHealth] = []
    engine = engine_for(store, client, seen)
    locker = sqlite3.connect(store.path, timeout=0, isolation_level=None)
    try:
        # A short busy timeout only makes the test quick: the lock is real.
        with connections_with(store, "PRAGMA busy_timeout=50"):
            locker.execute("BEGIN EXCLUSIVE")
            engine.start()
            assert wait_for(lambda: engine.health.failing is not None, 30)
            assert "locked by another program" in str(engine.health.failing)
            assert engine.running
            locker.execute("ROLLBACK")
            assert wait_for(lambda: store.get_state("cursor") is not None, 30)
        assert wait_for(lambda: engine.health.failing is None, 30)
        assert engine.running
        assert store.status().guests == len(server.guests)
    finally:
        locker.close()
        engine.stop()
        store.close()
        client.close()


class CountingEngine(StationSync):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rounds = 0
        self.round_done = threading.Event()

    def step(self) -> None:
        self.rounds += 1
        super().step()
        self.round_done.set()


def test_a_refused_app_code_stops_the_retries_and_says_what_to_do(
    server: RunningServer, tmp_path: Path
) -> None:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    client = StationClient(server.url, Credentials(server.event_id, "wrong", "Main Entrance"))
    seen: list[WorkerHealth] = []
    engine = CountingEngine(store, client, StationChangeWriter(client), backoff=quick_backoff(),
                            on_health=seen.append, interval=QUICK)  # fmt: skip
    try:
        engine.start()
        assert engine.round_done.wait(30)
        assert wait_for(lambda: engine.health.stopped, 30)
        assert "App Code" in str(engine.health.failing)
        assert "Check the station's login details" in str(engine.health.failing)
        # Nudged (a scan) or not, no more logins: each would be refused the same way.
        engine.round_done.clear()
        engine.nudge()
        assert not engine.round_done.wait(0.5)
        assert engine.rounds == 1
        [failure] = stored_failures(store)
        assert (failure.worker, failure.stopped) == ("sync", True)
        assert "App Code" in failure.reason
    finally:
        engine.stop()
        store.close()
        client.close()


def test_a_station_refusing_more_changes_this_minute_is_retried_not_given_up(
    server: RunningServer, tmp_path: Path
) -> None:
    # The reference server answers error 1040 (HTTP 429) past a station's changes per
    # minute; the door must keep them and send them when the minute is over.
    server.repository.settings.max_changes_per_minute = 1
    store = logged_in_door(server, tmp_path / "door")
    client = server.client()
    engine = engine_for(store, client, [])
    try:
        engine.run_once()  # the guest list
        service = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
        for guest in server.guests[:3]:
            assert service.scan(guest.access_code or "").verdict.ok
        engine.start()
        assert wait_for(lambda: "for a minute" in str(engine.status.last_error or ""), 30)
        assert not engine.health.stopped and store.status().pending == 3
        server.clock.advance(timedelta(minutes=2))
        server.repository.settings.max_changes_per_minute = 20000
        assert wait_for(lambda: store.status().pending == 0, 30)
        assert wait_for(lambda: engine.status.online is True, 30)
    finally:
        engine.stop()
        store.close()
        client.close()


def test_the_counting_worker_reports_a_broken_table_and_recovers(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    snapshots: list[StoreSnapshot] = []
    seen: list[WorkerHealth] = []
    watcher = StoreWatcher(store, snapshots.append, interval=0.05, on_health=seen.append)
    watcher.backoff = quick_backoff()
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("ALTER TABLE outbox RENAME TO outbox_away")
        watcher.start()
        assert wait_for(lambda: watcher.health.failing is not None, 30)
        assert "data file failed" in str(watcher.health.failing)
        assert stored_failures(store)[0].worker == "count"
        assert watcher.running
        other.execute("ALTER TABLE outbox_away RENAME TO outbox")
        assert wait_for(lambda: watcher.health.failing is None and bool(snapshots), 30)
        assert stored_failures(store) == []
    finally:
        other.close()
        watcher.stop()
        store.close()


def test_following_a_spreadsheet_that_vanished_reports_and_recovers(tmp_path: Path) -> None:
    sheet = tmp_path / "guests.csv"
    text = "Code,First name,Last name\nT-1,Ann,Lee\nT-2,Ben,Ray\n"
    sheet.write_text(text, encoding="utf-8")
    login = SavedLogin(f"file:{sheet}", "", "Main Entrance", "device", vault="none")
    connector = connector_for(login, "")
    assert connector is not None
    store = LocalStore.open(tmp_path / "door.sqlite3")
    seen: list[WorkerHealth] = []
    source = SourceSync(store, connector, on_health=seen.append, interval=QUICK)
    source.backoff = quick_backoff()
    try:
        assert source.run_once() is not None
        sheet.unlink()
        source.start()
        assert wait_for(lambda: source.health.failing is not None, 30)
        assert "cannot be read" in str(source.health.failing)
        assert json.loads(store.get_state("worker.source") or "{}")["stopped"] is False
        sheet.write_text(text + "T-3,Cem,Oz\n", encoding="utf-8")
        assert wait_for(lambda: source.health.failing is None, 30)
        assert wait_for(lambda: store.status().guests == 3, 30)
        assert source.running
    finally:
        source.stop()
        store.close()
