"""Doors and intruders for the mesh's unit tests: real stores, real loopback TLS."""

from __future__ import annotations

import json
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from doorcheck.domain.verdict import Mode
from doorcheck.peers import messages
from doorcheck.peers.node import MeshNode
from doorcheck.peers.trust import DoorIdentity, MeshSecret, door_identity
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from tests.support import full_sync, wire

GUESTS = [wire("g1", "C1", "Anna", "Alt"), wire("g2", "C2", "Ben", "Berg")]


def until(condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Wait for ``condition`` (polled); fail the test when it never holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.02)


@dataclass
class Door:
    store: LocalStore
    node: MeshNode
    service: CheckInService

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.node.port}"


@dataclass
class Mesh:
    """Doors of one event in this process, each with its own store and node."""

    tmp_path: Path
    secret: MeshSecret = field(default_factory=MeshSecret.new)
    doors: list[Door] = field(default_factory=list)

    def door(self, name: str, *peers: Door, listen: bool = True) -> Door:
        store = LocalStore.open(self.tmp_path / f"{name}.sqlite3")
        full_sync(store, GUESTS)
        service = CheckInService(store, name, Mode.TOGGLE)
        identity = door_identity(self.secret, store.log.door_id, self.tmp_path / f"{name}-mesh")
        node = MeshNode(
            store,
            identity,
            service.door_clock,
            station=name,
            event_id="event-1",
            listen=("127.0.0.1", 0) if listen else None,
            addresses=[p.address for p in peers],
        )
        node.start()
        service.on_change = node.nudge
        door = Door(store, node, service)
        self.doors.append(door)
        return door

    def identity(self, door_id: str) -> DoorIdentity:
        """A certificate of this event for any door id: every door can make one."""
        return door_identity(self.secret, door_id, self.tmp_path / f"forged-{door_id[:8]}")

    def stop(self) -> None:
        for door in self.doors:
            door.node.stop()
            door.store.close()


@pytest.fixture
def mesh(tmp_path: Path) -> Iterator[Mesh]:
    made = Mesh(tmp_path)
    try:
        yield made
    finally:
        made.stop()


# -- an intruder speaking the protocol by hand ---------------------------------------


class Peer:
    """A raw TLS client: a door (with a certificate) or a stranger (without)."""

    def __init__(self, port: int, identity: DoorIdentity, timeout: float = 10.0) -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.tls = identity.client_context().wrap_socket(raw)
        self.door_id = identity.door_id

    def send(self, message: dict[str, Any]) -> None:
        self.tls.sendall(messages.frame(message))

    def send_raw(self, data: bytes) -> None:
        self.tls.sendall(data)

    def receive(self) -> dict[str, Any]:
        size = int.from_bytes(self._exactly(4), "big")
        found = json.loads(self._exactly(size))
        assert isinstance(found, dict)
        return found

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.tls.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def closed(self) -> bool:
        """True once the door has closed this connection (reads whatever came first)."""
        try:
            while True:
                if not self.tls.recv(65536):
                    return True
        except (ssl.SSLError, OSError):
            return True

    def hello(self, door: str | None = None, **extra: object) -> dict[str, Any]:
        theirs = self.receive()
        assert theirs["type"] == "hello"
        mine: dict[str, Any] = {
            "type": "hello",
            "version": 1,
            "door": door or self.door_id,
            "station": "Intruder",
            "event": "event-1",
            "clock": datetime.now(UTC).isoformat(),
            "vector": {},
        }
        mine.update(extra)
        self.send(mine)
        return theirs

    def close(self) -> None:
        self.tls.close()


def a_door_id() -> str:
    return uuid.uuid4().hex


def change_json(origin: str, seq: int, guest: str = "g1", **extra: object) -> dict[str, object]:
    found: dict[str, object] = {
        "origin": origin,
        "seq": seq,
        "nonce": uuid.uuid4().hex,
        "guestId": guest,
        "action": "checkIn",
        "doorTime": datetime.now(UTC).isoformat(),
        "station": "Forged",
    }
    found.update(extra)
    return found
