"""The encrypted store against the plain one (issue 15, 4b), in the same run.

    .venv/bin/python -m benchmarks.store [--guests 100000] [--rounds 2] [--arrived 0.8]
        [--json OUT]

Builds the demo event's guest list (``server.demo.demo_guests``: main guests with
their companions, as the station sends them) and, for a plain store and an
encrypted one (SQLCipher, store/cipher.py) on the same disk, measures:

- the full list written as a first sync writes it (``write_wire`` in batches of
  2,000, then ``finish_full_sync``, which builds the indexes);
- opening the store again (engine, key, pragmas, the migration check);
- a scan's verdict and durable write (``CheckInService.scan``), p95 of 600;
- search as you type (one to six letters of 60 last names), p95;
- status and statistics in one read (the window's store watcher, every two
  seconds; `doorcheck status`): the counts read the presence index (migration
  0008); before it they scanned the guests table, and on an encrypted store
  every page not in the cache was decrypted again.

With ``--arrived SHARE`` that share of the guests comes in the list already checked
in (over eight hours, at three doors), a third of them checked out again: the
store late in an event, when the status tick counts many arrivals.

The kinds take turns, ``--rounds`` times, and each measurement keeps its best
round, so a neighbour's burst on a shared machine does not land on one kind alone.
No floors: it prints a table with the encrypted/plain ratio of each, and JSON with
``--json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from doorcheck.domain.verdict import Mode
from doorcheck.protocol.liststream import WireGuest
from doorcheck.server.demo import demo_guests
from doorcheck.services.checkin import CheckInService
from doorcheck.store.cipher import StoreKey, sqlcipher
from doorcheck.store.local import LocalStore

BATCH = 2000  # what sync.station_sync.pull writes per transaction
KINDS = ("plain", "encrypted")


@dataclass
class Row:
    name: str
    unit: str
    plain: float
    encrypted: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.encrypted / self.plain if self.plain else float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


ARRIVAL_STATIONS = ("Main Entrance", "Side Door", "Cloakroom")
DOORS_OPEN = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def guest_list(count: int, arrived: float = 0.0) -> list[WireGuest]:
    """The demo's guests as the station's list sends them: (object, its JSON); the
    share ``arrived`` checked in already, a third of those out again."""
    made: list[WireGuest] = []
    rng = random.Random(11)
    for guest in demo_guests(count):
        obj: dict[str, Any] = {
            "id": guest.id,
            "parentId": guest.parent_id,
            "accessCode": guest.access_code,
            "serverUpdateDateTime": "2026-11-21T17:00:00+00:00",
            "checkInDateTime": None,
            "checkOutDateTime": None,
            "deleteDateTime": None,
            "registrationState": guest.registration_state.value,
            "highlightColor": guest.highlight_color,
            "segments": guest.segments,
            "fields": guest.fields,
            "companions": [],
        }
        if rng.random() < arrived:
            came = DOORS_OPEN + timedelta(seconds=rng.randrange(8 * 3600))
            obj["checkInDateTime"] = came.isoformat()
            obj["checkInStationName"] = rng.choice(ARRIVAL_STATIONS)
            if rng.random() < 1 / 3:
                left = came + timedelta(seconds=rng.randrange(60, 3 * 3600))
                obj["checkOutDateTime"] = left.isoformat()
                obj["checkOutStationName"] = rng.choice(ARRIVAL_STATIONS)
        made.append((obj, json.dumps(obj, ensure_ascii=False)))
    return made


def measure(path: Path, key: StoreKey | None, guests: list[WireGuest]) -> dict[str, Any]:
    """One round on one kind of store: every measurement, in a fresh file."""
    found: dict[str, Any] = {}
    store = LocalStore.open(path, key)
    start = time.perf_counter()
    generation = store.start_full_sync()
    for first in range(0, len(guests), BATCH):
        store.write_wire(guests[first : first + BATCH], generation=generation)
    store.finish_full_sync(generation, "bench")
    found["write"] = time.perf_counter() - start
    store.close()

    start = time.perf_counter()
    store = LocalStore.open(path, key)
    store.status()  # a first read through the fresh engine
    found["open"] = (time.perf_counter() - start) * 1000
    try:
        rng = random.Random(7)
        codes = [code for obj, _ in guests if isinstance(code := obj["accessCode"], str)]
        service = CheckInService(store, "Bench Cloakroom", Mode.CHECK_IN)
        times = []
        for code in [rng.choice(codes) for _ in range(600)]:
            start = time.perf_counter()
            service.scan(code, "scanner")
            times.append((time.perf_counter() - start) * 1000)
        found["scan"] = (percentile(times, 0.95), statistics.median(times))

        names = sorted({str(obj["fields"]["lastName"]) for obj, _ in guests})
        times = []
        for name in random.Random(3).sample(names, min(60, len(names))):
            for length in range(1, min(len(name), 6) + 1):  # typing, a letter at a time
                start = time.perf_counter()
                store.search(name[:length])
                times.append((time.perf_counter() - start) * 1000)
        found["search"] = (percentile(times, 0.95), statistics.median(times), len(times))

        times = []
        for _ in range(5):
            start = time.perf_counter()
            store.status_and_statistics()
            times.append((time.perf_counter() - start) * 1000)
        found["status"] = statistics.median(times)
    finally:
        store.close()
    found["size"] = sum(p.stat().st_size for p in path.parent.iterdir()) / 1e6
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=100_000, help="main guests (default 100,000)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--arrived", type=float, default=0.0, help="share checked in already (default 0)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    guests = guest_list(args.guests, args.arrived)
    version = sqlcipher().connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(args.rounds):
            for kind in KINDS if round_number % 2 == 0 else KINDS[::-1]:
                key = StoreKey.new() if kind == "encrypted" else None
                path = Path(tmp) / f"{kind}-{round_number}" / "door.sqlite3"
                results[kind].append(measure(path, key, guests))

    def best(kind: str, name: str) -> Any:
        first = results[kind][0][name]
        if isinstance(first, tuple):
            return min((r[name] for r in results[kind]), key=lambda value: value[0])
        return min(r[name] for r in results[kind])

    plain_search, encrypted_search = best("plain", "search"), best("encrypted", "search")
    rows = [
        Row(f"full list written ({len(guests):,} guests, batches of {BATCH:,})", "s",
            best("plain", "write"), best("encrypted", "write")),
        Row("store opened again, first read", "ms", best("plain", "open"),
            best("encrypted", "open")),
        Row("scan verdict + durable write, p95 (600 scans)", "ms", best("plain", "scan")[0],
            best("encrypted", "scan")[0],
            f"median {best('plain', 'scan')[1]:.2f} / {best('encrypted', 'scan')[1]:.2f} ms"),
        Row(f"search as you type, p95 ({plain_search[2]} queries)", "ms", plain_search[0],
            encrypted_search[0], f"median {plain_search[1]:.2f} / {encrypted_search[1]:.2f} ms"),
        Row("status and statistics (the window's tick), median of 5", "ms",
            best("plain", "status"), best("encrypted", "status")),
        Row("files on disk after the run", "MB", best("plain", "size"),
            best("encrypted", "size")),
    ]  # fmt: skip
    print(f"SQLCipher {version}; best of {args.rounds} rounds each, the kinds taking turns;"
          f" {args.arrived:.0%} of the guests arrived in the list")  # fmt: skip
    print(f"{'measurement':<54} {'plain':>9} {'encrypted':>10} {'unit':<4} {'ratio':>6}  notes")
    for row in rows:
        print(f"{row.name:<54} {row.plain:>9.2f} {row.encrypted:>10.2f} {row.unit:<4} "
              f"{row.ratio:>6.2f}  {row.note}")  # fmt: skip
    if args.json:
        found = [row.__dict__ | {"ratio": row.ratio} for row in rows]
        found_with = {"sqlcipher": version, "arrived": args.arrived, "rows": found}
        args.json.write_text(json.dumps(found_with, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
