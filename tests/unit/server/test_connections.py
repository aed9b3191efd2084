"""Slow and idle clients cannot hold the server's connections open (issue 12, item 17)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from doorcheck.server.repository import ServerSettings
from tests.support import RunningServer, fresh_engine, populate, running_server

HEAD_SECONDS = 1.0
BODY_SECONDS = 1.0
# How long a test keeps trickling before it concludes the server never hung up.
PATIENCE = 20.0


@pytest.fixture
def strict_server(tmp_path: Path) -> Iterator[RunningServer]:
    from doorcheck.server.connections import ConnectionLimits

    settings = ServerSettings(body_seconds=BODY_SECONDS)
    limits = ConnectionLimits(head_seconds=HEAD_SECONDS)
    with running_server(fresh_engine("sqlite", tmp_path), settings, limits=limits) as running:
        yield populate(running, guests=3)


def connect(server: RunningServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=PATIENCE)
    return sock


def closed_by_server(sock: socket.socket, trickle: bytes | None) -> bytes | None:
    """Trickle one byte at a time (or just wait); what the server sent before it hung
    up, or None if it kept the connection open for PATIENCE seconds."""
    received = b""
    sock.settimeout(0.2)
    give_up = time.monotonic() + PATIENCE
    position = 0
    while time.monotonic() < give_up:
        if trickle is not None and position < len(trickle):
            try:
                sock.sendall(trickle[position : position + 1])
            except OSError:
                return received
            position += 1
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def still_serving(server: RunningServer) -> None:
    with server.client() as client:
        assert client.guests_all().count == len(server.guests)


def test_an_idle_connection_is_closed(strict_server: RunningServer) -> None:
    with connect(strict_server) as sock:
        assert closed_by_server(sock, None) == b""
    still_serving(strict_server)


def test_a_slow_request_head_is_cut_off(strict_server: RunningServer) -> None:
    head = b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 1000
    with connect(strict_server) as sock:
        assert closed_by_server(sock, head) is not None
    still_serving(strict_server)


def test_a_slow_body_is_answered_408_and_closed(strict_server: RunningServer) -> None:
    body = json.dumps({"eventId": "1", "apiKey": "x" * 500, "stationName": "y"}).encode()
    head = (
        b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    with connect(strict_server) as sock:
        sock.sendall(head)
        answer = closed_by_server(sock, body)
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 408")
    payload = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert payload["errors"][0]["code"] == 10
    still_serving(strict_server)


def test_a_keep_alive_connection_is_served_again_then_closed_when_idle(
    strict_server: RunningServer,
) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    with connect(strict_server) as sock:
        for _ in range(2):
            sock.sendall(request)
            answer = b""
            while not answer.endswith(b'"success"}'):
                chunk = sock.recv(65536)
                assert chunk, "closed before answering"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
        assert closed_by_server(sock, None) == b""
