"""A headless door that checks guests in and syncs as fast as it can, until killed.

Run by tests/integration/test_crash.py as a separate process, which it SIGKILLs at random
moments. It prints ``ACK <nonce>`` after a check-in is committed: the moment a
kiosk's screen would turn green, and ``SCANNED`` after every scan. ``--drain`` only
uploads what waits, then exits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from doorcheck.domain.verdict import Mode
from doorcheck.services.checkin import CheckInService
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import StationSync


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--event", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--station", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--drain", action="store_true")
    parser.add_argument("codes", nargs="*")
    args = parser.parse_args()
    store = LocalStore.open(args.data / "door.sqlite3")
    client = StationClient(args.server, Credentials(args.event, args.key, args.station))
    engine = StationSync(store, client, StationChangeWriter(client))
    if args.drain:
        for _ in range(20):
            if engine.run_once() is not None and store.status().pending == 0:
                return 0
        return 1
    service = CheckInService(store, args.station, Mode.CHECK_IN)
    print("READY", flush=True)
    for code in args.codes:
        outcome = service.scan(code, "scanner")
        for nonce in outcome.nonces:
            sys.stdout.write(f"ACK {nonce}\n")
        sys.stdout.write("SCANNED\n")
        sys.stdout.flush()
        engine.run_once()
    while True:
        engine.run_once()


if __name__ == "__main__":
    raise SystemExit(main())
