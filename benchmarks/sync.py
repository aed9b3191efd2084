"""Offline store and sync benchmarks (issue 3's floors, on this 2-core machine).

    .venv/bin/python -m benchmarks.sync [--guests 100000] [--big 200000] [--json OUT]

Runs the reference server in its own process and measures:

- full sync of ``--guests`` guests through ``doorcheck sync`` (a separate process:
  its wall time, CPU time and peak RSS), after ``doorcheck login``;
- a ``recent`` pull bringing 100 changes made at another door;
- verdict plus durable write per scan at ``--big`` guests, alone and while a full
  sync runs in the background;
- search as you type at ``--big`` guests;
- upload of a 10,000-change offline backlog.

Fixed floors (issue 3's) depend on the machine, so the same run also measures what
this machine does bare, and prints each measurement's ratio to it: a plain httpx
download of the same list parsed by ``json.loads`` in a process of its own; a single-row
SQLite commit (WAL, ``synchronous=FULL``) on the same disk; an FTS5 prefix query on
the same store; and a fixed pure-Python loop, the machine's speed, to compare runs.

Prints a table with each floor and writes JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from doorcheck.domain.changes import Action
from doorcheck.domain.verdict import Mode
from doorcheck.paths import store_path
from doorcheck.protocol.wire import OutgoingChange
from doorcheck.server.db import make_engine
from doorcheck.server.repository import StationRepository
from doorcheck.services.checkin import CheckInService
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import pull, push_pending

# Demo events have about 0.57 companions per main guest.
COMPANIONS_PER_GUEST = 0.5735


@dataclass
class Row:
    name: str
    value: float
    unit: str
    floor: float
    note: str = ""
    # What this machine does bare in the same run (same unit), for the ratio.
    bare: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if not self.bare else self.value / self.bare

    @property
    def ok(self) -> bool:
        return self.value <= self.floor


@dataclass
class Server:
    url: str
    event_id: str
    codes: dict[str, str]
    data: Path


@contextmanager
def demo_server(total: int, data: Path) -> Iterator[Server]:
    main_guests = round(total / (1 + COMPANIONS_PER_GUEST))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "doorcheck",
            "serve",
            "--demo",
            "--guests",
            str(main_guests),
            "--port",
            "0",
            "--json",
            "--data",
            str(data),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        engine = make_engine(f"sqlite:///{data / 'station.sqlite3'}")
        repo = StationRepository(engine)
        codes = {}
        for name in ("Side Door", "Cloakroom"):
            codes[name] = repo.create_station(info["eventId"], f"Bench {name}").app_code
        engine.dispose()
        codes["Main Entrance"] = info["apiKey"]
        yield Server(info["url"], info["eventId"], codes, data)
    finally:
        process.terminate()
        process.wait(30)


def run_measured(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{command} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def full_sync_cli(server: Server, work: Path, rows: list[Row]) -> None:
    door = work / "cli-door"
    base = [sys.executable, "-m", "doorcheck"]
    subprocess.run(
        [
            *base,
            "login",
            "--server",
            server.url,
            "--event",
            server.event_id,
            "--key",
            server.codes["Main Entrance"],
            "--station",
            "Main Entrance",
            "--data",
            str(door),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall, cpu, rss = run_measured([*base, "sync", "--data", str(door)])
    store = LocalStore.open(store_path(door, server.event_id, "Main Entrance"))
    guests = store.status().guests
    store.close()
    bare = [sys.executable, "-m", "benchmarks.sync", "--bare-list", server.url, server.event_id]
    bare_wall, bare_cpu, bare_rss = run_measured([*bare, server.codes["Main Entrance"]])
    note = f"{guests} guests, doorcheck sync as its own process"
    rows += [
        Row("full sync: wall in all", wall, "s", 8.0, note, bare_wall),
        Row("full sync: client CPU", cpu, "s", 4.0, "user + system of the client", bare_cpu),
        Row("full sync: client peak RSS", rss, "MB", 400.0, "", bare_rss),
    ]


def bare_list(url: str, event_id: str, app_code: str) -> None:
    """The floor of a full sync: log in and download the same list with plain httpx
    (gzip, as the kiosk asks), then ``json.loads`` it whole; nothing checked or stored."""
    import httpx

    with httpx.Client(base_url=url, headers={"Accept-Encoding": "gzip"}) as http:
        login = {"eventId": event_id, "apiKey": app_code, "stationName": "Main Entrance"}
        token = http.post("/api/v1/login", json=login).json()["sessionToken"]
        answer = http.post("/api/v1/guest/list/all", json={"sessionToken": token})
        json.loads(answer.content)


def bare_commit_times(work: Path, count: int, pause: float = 0.0) -> list[float]:
    """ms of single-row durable commits with the store's pragmas (WAL, synchronous=FULL),
    back to back or (``pause`` seconds, jittered) at a scan's pace: the floor of a
    durable scan on this disk at that moment."""
    import random
    import sqlite3

    work.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(work / "bare.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    times = []
    for i in range(count):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (f"scan {i}",))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
        if pause:
            time.sleep(pause * random.uniform(0.5, 1.5))
    conn.close()
    return times


def bare_commit_ms(work: Path, count: int = 600) -> float:
    """p95 of a single-row insert and commit, WAL and synchronous=FULL, on this disk:
    the floor of a durable scan."""
    return percentile(bare_commit_times(work, count), 0.95)


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine is today, so runs
    on different days (or a machine shared with other work) can be compared."""
    start = time.perf_counter()
    sum(range(30_000_000))
    return time.perf_counter() - start


def door(server: Server, work: Path, station: str) -> tuple[LocalStore, StationClient]:
    store = LocalStore.open(work / station / "door.sqlite3")
    client = StationClient(
        server.url,
        Credentials(
            server.event_id,
            server.codes[station],
            f"Bench {station}" if station != "Main Entrance" else station,
        ),
    )
    client.login()
    return store, client


def recent_pull(server: Server, work: Path, rows: list[Row]) -> None:
    store, client = door(server, work, "Main Entrance")
    pull(store, client)
    _, other = door(server, work, "Side Door")
    guests = [
        g
        for g in client.guests_recent("2000-01-01T00:00:00+00:00").guests
        if g.parent_id is None and not g.is_deleted and g.registration_state.value == "registered"
    ][:100]
    other.push_changes(
        [
            OutgoingChange(str(uuid.uuid4()), Action.CHECK_IN, g.id, datetime.now(UTC))
            for g in guests
        ]
    )
    start = time.perf_counter()
    _, received = pull(store, client)
    rows.append(
        Row(
            "recent sync bringing 100 changes",
            (time.perf_counter() - start) * 1000,
            "ms",
            150.0,
            f"{received} guests received",
        )
    )
    store.close()


def big_store(server: Server, work: Path) -> tuple[LocalStore, StationClient, list[str]]:
    store, client = door(server, work, "Cloakroom")
    pull(store, client)
    with store.read() as conn:
        codes = [
            c
            for (c,) in conn.exec_driver_sql(
                "SELECT access_code FROM guests WHERE delete_time IS NULL "
                "AND access_code IS NOT NULL"
            )
        ]
    return store, client, codes


def scans(
    store: LocalStore, codes: list[str], rows: list[Row], client: StationClient, work: Path
) -> None:
    rng = random.Random(7)
    bare = bare_commit_ms(work / "bare")
    service = CheckInService(store, "Bench Cloakroom", Mode.CHECK_IN)
    sample = [rng.choice(codes) for _ in range(600)]
    times = []
    for code in sample:
        start = time.perf_counter()
        service.scan(code, "scanner")
        times.append((time.perf_counter() - start) * 1000)
    rows.append(
        Row(
            f"scan verdict + durable write, p95 ({len(codes)} guests)",
            percentile(times, 0.95),
            "ms",
            10.0,
            f"median {statistics.median(times):.1f} ms, 600 scans",
            bare,
        )
    )
    # The same while a full sync of the whole list runs in the background.
    store.set_state("cursor", None)
    done = threading.Event()

    def full_sync() -> None:
        try:
            pull(store, client)
        finally:
            done.set()

    background = threading.Thread(target=full_sync)
    background.start()
    busy = []
    while not done.is_set():
        start = time.perf_counter()
        service.scan(rng.choice(codes), "scanner")
        busy.append((time.perf_counter() - start) * 1000)
        time.sleep(0.005)
    background.join()
    rows.append(
        Row(
            "scan during a background full sync, p95",
            percentile(busy, 0.95),
            "ms",
            50.0,
            f"max {max(busy):.0f} ms over {len(busy)} scans",
            bare,
        )
    )


def search(store: LocalStore, rows: list[Row]) -> None:
    with store.read() as conn:
        names = [
            n
            for (n,) in conn.exec_driver_sql(
                "SELECT last_name FROM guests WHERE last_name IS NOT NULL LIMIT 2000"
            )
        ]
    rng = random.Random(3)
    times = []
    bare_times = []
    for name in rng.sample(names, 60):
        for length in range(1, min(len(name), 6) + 1):  # typing, one letter at a time
            start = time.perf_counter()
            store.search(name[:length])
            times.append((time.perf_counter() - start) * 1000)
            # The floor: the FTS5 prefix query alone, its first 50 row ids.
            prefix = '"' + name[:length].lower().replace('"', '""') + '"*'
            start = time.perf_counter()
            with store.read() as conn:
                conn.exec_driver_sql(
                    "SELECT rowid FROM guest_search WHERE guest_search MATCH ? LIMIT 50",
                    (prefix,),
                ).fetchall()
            bare_times.append((time.perf_counter() - start) * 1000)
    rows.append(
        Row(
            "search as you type, p95",
            percentile(times, 0.95),
            "ms",
            30.0,
            f"median {statistics.median(times):.1f} ms, {len(times)} queries",
            percentile(bare_times, 0.95),
        )
    )


def backlog(server: Server, work: Path, codes: list[str], rows: list[Row]) -> None:
    store = LocalStore.open(work / "backlog" / "door.sqlite3")
    client = StationClient(
        server.url, Credentials(server.event_id, server.codes["Side Door"], "Bench Side Door")
    )
    pull(store, client)
    service = CheckInService(store, "Bench Side Door", Mode.CHECK_IN)
    for code in codes[:10_000]:  # offline: nothing is pushed
        service.scan(code, "scanner")
    waiting = store.status().pending
    start = time.perf_counter()
    uploaded, _, rejected = push_pending(store, StationChangeWriter(client))
    rows.append(
        Row(
            "upload of an offline backlog",
            time.perf_counter() - start,
            "s",
            10.0,
            f"{uploaded} of {waiting} changes, {rejected} rejected",
        )
    )
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--bare-list", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_list:
        bare_list(*args.bare_list)
        return 0
    speed = Row("machine speed: a fixed Python loop", machine_speed(), "s", float("inf"),
                "no floor: to compare runs")  # fmt: skip
    rows: list[Row] = [speed]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with demo_server(args.guests, work / "server") as server:
            full_sync_cli(server, work, rows)
            recent_pull(server, work, rows)
        with demo_server(args.big, work / "big-server") as server:
            store, client, codes = big_store(server, work)
            scans(store, codes, rows, client, work)
            search(store, rows)
            store.close()
            backlog(server, work, codes, rows)
    return report(rows, args.json)


def report(rows: list[Row], json_path: Path | None, digits: int = 2) -> int:
    """The table on stdout, the rows as JSON if asked; 0 if every floor is met."""
    print(f"{'measurement':<52} {'value':>9} {'unit':<4} {'floor':>7}  ok   "
          f"{'bare':>9} {'ratio':>6}  notes")  # fmt: skip
    for row in rows:
        bare = f"{row.bare:>9.{digits}f} {row.ratio:>6.1f}" if row.ratio else f"{'':>9} {'':>6}"
        print(
            f"{row.name:<52} {row.value:>9.{digits}f} {row.unit:<4} {row.floor:>7g}  "
            f"{'yes' if row.ok else 'NO ':<4} {bare}  {row.note}"
        )
    if json_path:
        found = [row.__dict__ | {"ok": row.ok, "ratio": row.ratio} for row in rows]
        json_path.write_text(json.dumps(found, indent=2))
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
