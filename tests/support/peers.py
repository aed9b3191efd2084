"""Doors of one event as separate processes: `doorcheck sync --watch` each, on loopback."""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from doorcheck.protocol.wire import StationMode
from doorcheck.server.db import make_engine
from doorcheck.server.repository import StationRepository
from doorcheck.session.door import DoorSession, saved_door
from tests.support.cli import doorcheck


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Door:
    """One door: its data folder, its station, and its `sync --watch` process."""

    data: Path
    station: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    _session: DoorSession | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def watch(
        self,
        *peers: Door,
        discover: bool = False,
        extra: tuple[str, ...] = (),
        command: list[str] | None = None,
    ) -> None:
        """Start `doorcheck sync --watch` for this door, reaching ``peers`` (typed in),
        or with ``discover`` finding the others with mDNS on every interface."""
        listen = f"0.0.0.0:{self.port}" if discover else self.address
        args = ["sync", "--watch", "--interval", "0.5", "--data", str(self.data),
                "--listen", listen, *extra]  # fmt: skip
        if not discover:
            args.append("--no-discovery")
        for peer in peers:
            args += ["--peer", peer.address]
        self.lines = queue.Queue()  # a restarted door's lines, not its earlier run's
        self.seen = []
        self.process = subprocess.Popen(
            [*(command or [sys.executable, "-m", "doorcheck"]), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        stream = self.process.stdout
        assert stream is not None

        def read() -> None:
            for line in stream:
                self.lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        self.wait_for("Doors nearby:")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        for line in self.seen:
            if text in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process is not None and self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{self.station}: no {text!r} in:\n{''.join(self.seen)}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def status(self) -> dict[str, Any]:
        """What `doorcheck status --json --local` prints, read in this process (the
        tests poll it; a process per look would cost more than the doors)."""
        report = self.session().report(probe=False)
        return {
            "checked_in": report.status.checked_in,
            "pending": report.status.pending,
            "doorId": report.door_id,
            "peers": [{"station": p.station, "stale": p.stale, "held": p.held}
                      for p in report.peers],
        }  # fmt: skip

    def checked_in(self, code: str) -> bool:
        view = self.session().store.guest_by_code(code)
        return view is not None and view.guest.is_checked_in

    def session(self) -> DoorSession:
        if self._session is None:
            self._session = saved_door(self.data)
            assert self._session is not None, f"{self.station} is not logged in"
        return self._session

    def close(self) -> None:
        self.stop()
        if self._session is not None:
            self._session.close()
            self._session = None


def until(condition: Any, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def make_doors(
    tmp_path: Path,
    info: dict[str, str],
    count: int,
    mode: StationMode = StationMode.CHECK_IN,
    run: Callable[..., object] = doorcheck,
) -> list[Door]:
    """Doors "Gate 1" ... of the event served from ``tmp_path / "server"``, each logged
    in (which gives it the mesh secret) and synced with ``run`` (a `doorcheck`
    process by default)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server' / 'station.sqlite3'}")
    repo = StationRepository(engine)
    for number in range(1, count + 1):
        repo.create_station(info["eventId"], f"Gate {number}", app_code=f"gate-{number}-code",
                            mode=mode)  # fmt: skip
    engine.dispose()
    doors = []
    for number in range(1, count + 1):
        door = Door(tmp_path / f"door{number}", f"Gate {number}")
        run("sync", "--source", "station", "--server", info["url"], "--event",
            info["eventId"], "--key", f"gate-{number}-code", "--station", door.station,
            "--data", door.data)  # fmt: skip
        doors.append(door)
    return doors
