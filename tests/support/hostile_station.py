"""A station server that misbehaves on purpose: a real HTTP server on loopback.

It speaks just enough of the station protocol (login, logout, the two guest lists,
the write extension) for a door to sync against it, and answers with whatever
hostile behaviour a test switches on::

    station = HostileStation(guests=[...])
    station.behaviours.add("bomb:list")
    with station.running() as url:
        client = StationClient(url, CREDENTIALS)

Behaviours (``kind:endpoint``, endpoint one of ``login``, ``list`` (both lists),
``changes``, ``logout``):

- ``bomb:<endpoint>``: a gzip bomb, ~2 MB on the wire inflating to ~2 GB of
  whitespace, sent without a length until the client hangs up.
- ``trickle:<endpoint>``: the answer one byte per ``trickle_seconds``.
- ``trickle-headers:<endpoint>``: the status line and headers that slowly.
- ``applied-without-guest``: change results say "applied" and carry no guest.
- ``date-time-last``: a list answer's ``dateTime`` after the guests, not before.
- ``no-date-time``: a list answer without ``dateTime``.

Guests are given as objects or as raw JSON text (``raw(...)``), so poisoned guests
(lone surrogates, 5,000-digit numbers, deep nesting, ``null``) go out verbatim.
``sent_bytes`` counts what each answer put on the wire before the client left.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ENDPOINTS = {
    "/api/v1/login": "login",
    "/api/v1/logout": "logout",
    "/api/v1/guest/list/all": "list",
    "/api/v1/guest/list/recent": "list",
    "/api/v1/guest/changes": "changes",
}
TOKEN = "f" * 40


@dataclass(frozen=True)
class Raw:
    """A guest element sent exactly as this text."""

    text: str


def raw(text: str) -> Raw:
    return Raw(text)


def _bomb_pieces(total: int = 2 << 30, block: int = 1 << 20) -> Iterator[bytes]:
    """A gzip stream of ``total`` bytes of spaces, made without ever holding them:
    one compressed block after a full flush is the same bytes every time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    spaces = b" " * block
    # Whitespace between JSON tokens: a parser has nothing to refuse but the size.
    first = compressor.compress(b'{"status": "success", ') + compressor.compress(spaces)
    first += compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    yield first
    for _ in range(total // block - 1):
        yield repeated
    yield compressor.flush()  # its trailer's check sum is wrong; nobody gets there


@dataclass
class HostileStation:
    guests: list[dict[str, Any] | Raw] = field(default_factory=list)
    recent: list[dict[str, Any] | Raw] = field(default_factory=list)
    date_time: str = "2026-11-21T19:00:00+02:00"
    behaviours: set[str] = field(default_factory=set)
    trickle_seconds: float = 1.0
    event: dict[str, Any] = field(
        # The seed's own example truncates the event's date-times.
        default_factory=lambda: {
            "id": "123",
            "name": "Hostile Gala",
            "configuration": {},
            "startDateTime": "2018-01-...",
            "endDateTime": "2018-01-...",
        }
    )
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent_bytes: list[int] = field(default_factory=list)

    # -- answers ---------------------------------------------------------------

    def answer(self, path: str, body: dict[str, Any]) -> bytes:
        endpoint = ENDPOINTS.get(path)
        if endpoint == "login":
            return _json({"status": "success", "sessionToken": TOKEN, "event": self.event,
                          "stationName": body.get("stationName")})  # fmt: skip
        if endpoint == "logout":
            return _json({"status": "success"})
        if endpoint == "changes":
            return _json({"status": "success", "results": self._results(body)})
        if endpoint == "list":
            recent = path.endswith("/recent")
            return self._list(self.recent if recent else self.guests)
        return _json({"status": "error", "errors": [{"code": 50, "message": "unknown"}]})

    def _list(self, guests: list[dict[str, Any] | Raw]) -> bytes:
        items = ",".join(g.text if isinstance(g, Raw) else json.dumps(g) for g in guests)
        head = f'"status": "success", "count": {len(guests)}'
        stamp = "" if "no-date-time" in self.behaviours else f'"dateTime": "{self.date_time}"'
        if "date-time-last" in self.behaviours:
            parts = [head, f'"guests": [{items}]', stamp]
        else:
            parts = [head, stamp, f'"guests": [{items}]']
        return ("{" + ", ".join(p for p in parts if p) + "}").encode("utf-8", "surrogatepass")

    def _results(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        results = []
        for change in body.get("changes", []):
            result: dict[str, Any] = {"nonce": change["nonce"], "result": "applied"}
            guest = self.find(change.get("guestId"))
            if guest is not None and change.get("action") == "checkIn":
                guest["checkInDateTime"] = change.get("clientUpdateDateTime")
                guest["checkInStationName"] = "Main Entrance"
                guest["serverUpdateDateTime"] = self.date_time
                if "applied-without-guest" not in self.behaviours:
                    result["guest"] = dict(guest)
            results.append(result)
        return results

    def find(self, guest_id: object) -> dict[str, Any] | None:
        for guest in self.guests:
            if isinstance(guest, dict) and guest.get("id") == guest_id:
                return guest
        return None

    # -- the server ------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on a free loopback port; yields the base URL."""
        station = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                station.requests.append((self.path, body))
                endpoint = ENDPOINTS.get(self.path, "")
                sent = 0
                try:
                    if f"bomb:{endpoint}" in station.behaviours:
                        sent = self._send_bomb()
                    elif f"trickle-headers:{endpoint}" in station.behaviours:
                        answer = station.answer(self.path, body)
                        self._trickle(self._head(answer))
                        self.wfile.write(answer)
                        sent = len(answer)
                    else:
                        answer = station.answer(self.path, body)
                        head = self._head(answer)
                        if f"trickle:{endpoint}" in station.behaviours:
                            self.wfile.write(head)
                            sent = self._trickle(answer)
                        else:
                            self.wfile.write(head + answer)
                            sent = len(answer)
                except OSError:
                    pass  # the client hung up: what it refused is counted
                finally:
                    station.sent_bytes.append(sent)
                    self.close_connection = True

            def _head(self, answer: bytes) -> bytes:
                return (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(answer)}\r\nConnection: close\r\n\r\n"
                ).encode()

            def _trickle(self, data: bytes) -> int:
                for index in range(len(data)):
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                    time.sleep(station.trickle_seconds)
                return len(data)

            def _send_bomb(self) -> int:
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Encoding: gzip\r\nConnection: close\r\n\r\n"
                )
                sent = 0
                for piece in _bomb_pieces():
                    self.wfile.write(piece)
                    sent += len(piece)
                return sent

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(10)


def _json(obj: object) -> bytes:
    return json.dumps(obj).encode()
