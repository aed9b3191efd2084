"""Killing the kiosk at any instant loses no acknowledged check-in and never uploads
one twice (DESIGN.md §2.2)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from doorcheck.station.server import db
from tests.support import RunningServer, fresh_engine, populate, running_server

ROOT = Path(__file__).resolve().parent.parent
KILLS = 50


def worker(server: RunningServer, data: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.kiosk_worker",
            "--server",
            server.url,
            "--event",
            server.event_id,
            "--key",
            server.stations["Main Entrance"].app_code,
            "--station",
            "Main Entrance",
            "--data",
            str(data),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(2026)
    acknowledged: list[str] = []
    with running_server(fresh_engine("sqlite", tmp_path)) as server:
        populate(server, guests=400)
        codes = [g.access_code or "" for g in server.guests]
        data = tmp_path / "door"
        kills = 0
        while kills < KILLS:
            rng.shuffle(codes)
            process = worker(server, data, *codes)
            assert process.stdout is not None
            lines: list[str] = []
            reader = threading.Thread(target=lines.extend, args=(process.stdout,))
            reader.start()
            deadline = time.monotonic() + 30
            while "READY\n" not in lines and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            reader.join(10)
            kills += 1
            acknowledged += [line.split()[1] for line in lines if line.startswith("ACK ")]
        assert worker(server, data, "--drain").wait(60) == 0
        with server.repository.engine.connect() as conn:
            rows = conn.execute(
                select(db.changes.c.nonce, db.changes.c.guest_id, db.changes.c.effect)
            ).all()
    on_server = [r.nonce for r in rows]
    assert kills == KILLS
    assert len(acknowledged) > KILLS  # the kills fell among real work
    assert len(set(acknowledged)) == len(acknowledged)
    missing = set(acknowledged) - set(on_server)
    assert not missing, f"{len(missing)} acknowledged check-ins never reached the server"
    assert len(on_server) == len(set(on_server))
    # One check-in per guest: a guest admitted before a kill was not admitted again.
    guests = [r.guest_id for r in rows]
    assert len(guests) == len(set(guests))
    assert {r.effect for r in rows} == {"applied"}
    with sqlite3.connect(data / "door.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        waiting = conn.execute(
            "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent')"
        ).fetchone()
    assert waiting == (0,)
