"""Limits on connections, so slow or idle clients cannot hold the server's sockets.

uvicorn times out idle keep-alive connections but not a connection that never
finishes its request head (it may trickle a header byte a second forever), nor one
that sends nothing at all. The protocol below adds a deadline for each request's
head; the app bounds the time to read a body (app.read_json_body).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ConnectionLimits:
    # From connecting (or the end of the previous answer) to a complete request head.
    head_seconds: float = 10.0
    # Idle time between requests on a keep-alive connection (uvicorn's own timeout).
    keep_alive_seconds: int = 5
    # Largest request head (h11's default, stated here so it is documented).
    max_head_bytes: int = 16 * 1024
    # Connections served at once per process; more are answered 503 at once.
    max_connections: int = 1000


DEFAULT_LIMITS = ConnectionLimits()


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is too slow."""

    limits = DEFAULT_LIMITS
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.head_seconds, self._head_too_slow)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        serving = self.cycle is not None and not self.cycle.response_complete
        if serving or self.transport.is_closing():
            return  # the head arrived: the app's body deadline takes over
        if self.conn.our_state != h11.ERROR:
            # A client mid-request cannot be told politely: just close.
            with contextlib.suppress(h11.LocalProtocolError):
                self.conn.send(h11.ConnectionClosed())
        self.transport.close()


def uvicorn_options(limits: ConnectionLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The uvicorn.Config options every way of serving the station API uses."""
    protocol: type[HeadDeadlineProtocol] = HeadDeadlineProtocol
    if limits != DEFAULT_LIMITS:  # tests; worker processes need the importable class

        class LimitedProtocol(HeadDeadlineProtocol):
            pass

        LimitedProtocol.limits = limits
        protocol = LimitedProtocol
    return {
        "http": protocol,
        "timeout_keep_alive": limits.keep_alive_seconds,
        "h11_max_incomplete_event_size": limits.max_head_bytes,
        "limit_concurrency": limits.max_connections,
        # X-Forwarded-For is read by the app, and only from configured proxies
        # (brake.client_address): uvicorn would otherwise believe it from loopback.
        "proxy_headers": False,
    }
