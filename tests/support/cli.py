"""The ``doorcheck`` command and server as a user runs them: real processes."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from doorcheck.server.db import make_engine
from doorcheck.server.repository import StationRepository


def doorcheck(
    *args: object, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "doorcheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"doorcheck {args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def doorcheck_here(*args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``doorcheck ARGS`` in this process, its output captured: the same command as
    ``doorcheck`` runs, without a Python start-up (a second or two each) for the
    short commands a test runs many of."""
    from doorcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    arguments = [str(arg) for arg in args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(arguments)
        except SystemExit as exc:  # argparse's refusals
            code = exc.code if isinstance(exc.code, int) else 1
    result = subprocess.CompletedProcess(arguments, code, out.getvalue(), err.getvalue())
    if check and code != 0:
        raise AssertionError(f"doorcheck {args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def start_server(*args: str | Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``doorcheck serve ... --json`` in its own process; returns it and its JSON line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "doorcheck", "serve", "--port", "0", "--json", *map(str, args)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(20)


def demo_codes(tmp_path: Path, event_id: str) -> list[str]:
    """Access codes of the demo's registered main guests, sorted."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server' / 'station.sqlite3'}")
    repo = StationRepository(engine)
    guests = repo.guests_for_tickets(event_id)
    engine.dispose()
    return sorted(
        g.access_code
        for g in guests
        if g.parent_id is None and g.registration_state.value == "registered" and g.access_code
    )


@contextlib.contextmanager
def serving_demo(tmp_path: Path, guests: int = 40) -> Iterator[dict[str, str]]:
    """``doorcheck serve --demo`` in its own process, its database in
    ``tmp_path/server``; yields its JSON line (url, eventId, apiKey, stationName)."""
    process, info = start_server("--demo", "--guests", str(guests), "--data", tmp_path / "server")
    try:
        yield info
    finally:
        stop(process)
