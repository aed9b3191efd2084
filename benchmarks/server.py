"""Reference-server benchmark: demo creation and guest lists over loopback HTTP.

    .venv/bin/python -m benchmarks.server [--guests 100000] [--json OUT]

Prints a table (and writes JSON with --json). Floors it is read against:
``doorcheck serve --demo --guests 100000`` well under a minute (issue 2).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from tests.support import running_server

from doorcheck.domain.changes import Action
from doorcheck.protocol.wire import OutgoingChange
from doorcheck.server.demo import create_demo_event
from doorcheck.station.client import Credentials, StationClient


def measure(guests: int) -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        from doorcheck.server.db import create_schema, make_engine

        engine = make_engine(f"sqlite:///{Path(tmp) / 'station.sqlite3'}")
        create_schema(engine)
        with running_server(engine) as server:
            start = time.perf_counter()
            event_id, codes, created = create_demo_event(server.repository, guests=guests)
            rows.append(
                (
                    "create demo event",
                    time.perf_counter() - start,
                    f"{guests} main guests, {len(created)} in all",
                )
            )
            creds = Credentials(event_id, codes["Main Entrance"], "Main Entrance")
            with StationClient(server.url, creds) as client:
                start = time.perf_counter()
                full = client.guests_all()
                rows.append(
                    (
                        "guest/list/all over HTTP",
                        time.perf_counter() - start,
                        f"{full.count} guests, parsed by the client",
                    )
                )
                cursor = full.date_time
                targets = [g for g in created if g.parent_id is None][:100]
                client.push_changes(
                    [
                        OutgoingChange(str(uuid.uuid4()), Action.CHECK_IN, g.id, datetime.now(UTC))
                        for g in targets
                    ]
                )
                start = time.perf_counter()
                recent = client.guests_recent(cursor)
                rows.append(
                    (
                        "guest/list/recent, 100 changes",
                        time.perf_counter() - start,
                        f"{recent.count} guests",
                    )
                )
                times = []
                for _ in range(20):
                    begin = time.perf_counter()
                    client.push_changes(
                        [
                            OutgoingChange(
                                str(uuid.uuid4()), Action.CHECK_IN, targets[0].id, datetime.now(UTC)
                            )
                        ]
                    )
                    times.append(time.perf_counter() - begin)
                rows.append(
                    ("one change uploaded (median of 20)", statistics.median(times), "round trip")
                )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = measure(args.guests)
    print(f"{'measurement':<38} {'seconds':>9}  notes")
    for name, seconds, notes in rows:
        print(f"{name:<38} {seconds:>9.3f}  {notes}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [{"measurement": n, "seconds": round(s, 4), "notes": t} for n, s, t in rows],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
