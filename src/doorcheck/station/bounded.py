"""Bounds on what a server may send: how large an answer grows once decompressed,
and how long one request may take in all.

httpx bounds each socket operation (connect, one read) but not a whole request:
a server that trickles a byte a second never trips a read timeout. And it inflates
a gzip answer whole, so 2 MB on the wire can become 2 GB in memory. Here every
socket operation of a request is capped by the time the request has left (a
network backend under httpcore), and the body is inflated in small pieces and
counted, so a bomb is refused after the bound, not after it filled the memory.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

# Answers other than guest lists (login, logout, change results, errors): a change
# batch's results with every guest copy are well under 1 MiB.
MAX_ANSWER_BYTES = 16 << 20
# A guest list, decompressed: 200,000 guests at up to 5 KiB each.
MAX_LIST_BYTES = 1 << 30
# A request's whole life, connect to last byte. Lists get more time while data
# flows: ``LIST_SECONDS_PER_MIB`` for each MiB received (a floor of ~64 KiB/s,
# so a trickle ends after the base time, while a large list on slow Wi-Fi goes on).
REQUEST_SECONDS = 60.0
LIST_SECONDS_PER_MIB = 16.0

ACCEPT_ENCODING = "gzip, deflate"  # only what is inflated here, piece by piece
_PIECE = 64 << 10


class UnreadableBodyError(Exception):
    """An encoding we did not ask for, or compressed data that is broken."""


class AnswerTooLargeBodyError(Exception):
    """The answer grew past its bound once decompressed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit} bytes once decompressed")
        self.limit = limit


@dataclass
class Deadline:
    """When a request must be done, by the monotonic clock; data received may move
    it later (``per_byte`` seconds per byte)."""

    at: float
    per_byte: float = 0.0

    @classmethod
    def after(cls, seconds: float, per_mib: float = 0.0) -> Deadline:
        return cls(time.monotonic() + seconds, per_mib / (1 << 20))

    def received(self, size: int) -> None:
        self.at += size * self.per_byte

    def left(self) -> float:
        return self.at - time.monotonic()


_current: ContextVar[Deadline | None] = ContextVar("doorcheck_deadline", default=None)


@contextlib.contextmanager
def deadline(limit: Deadline) -> Iterator[Deadline]:
    """Every socket operation inside waits at most until ``limit``."""
    token = _current.set(limit)
    try:
        yield limit
    finally:
        _current.reset(token)


def _capped(timeout: float | None) -> float | None:
    limit = _current.get()
    if limit is None:
        return timeout
    left = limit.left()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's overall deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _capped(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _capped(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _capped(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's own sockets, each operation capped by the current deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _capped(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, _capped(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def transport(**options: Any) -> httpx.HTTPTransport:
    """httpx's transport whose sockets keep the current request's deadline."""
    made = httpx.HTTPTransport(**options)
    # httpx offers no way to pass a network backend; its pool keeps it here.
    made._pool._network_backend = _Backend()
    return made


def _inflater(encoding: str) -> Any | None:
    coding = encoding.strip().lower()
    if coding in ("", "identity"):
        return None
    if coding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib-wrapped (or gzip)
    raise UnreadableBodyError(f"unsupported content encoding {encoding[:40]!r}")


def body(response: httpx.Response, limit: int, until: Deadline) -> Iterator[bytes]:
    """The decompressed body in pieces of at most 64 KiB; AnswerTooLargeBodyError past
    ``limit`` bytes, UnreadableBodyError for an encoding or compressed data we cannot read.
    The response must have been opened with ``stream``."""
    total = 0
    try:
        # Read already: a response made in memory (httpx.MockTransport, in tests).
        ready = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        if len(ready) > limit:
            raise AnswerTooLargeBodyError(limit)
        yield ready
        return
    inflater = _inflater(response.headers.get("content-encoding", ""))

    def counted(piece: bytes) -> bytes:
        nonlocal total
        total += len(piece)
        if total > limit:
            raise AnswerTooLargeBodyError(limit)
        return piece

    for raw in response.iter_raw():
        until.received(len(raw))
        if inflater is None:
            yield counted(raw)
            continue
        try:
            piece = inflater.decompress(raw, _PIECE)
            while True:
                if piece:
                    yield counted(piece)
                if not inflater.unconsumed_tail:
                    break
                piece = inflater.decompress(inflater.unconsumed_tail, _PIECE)
        except zlib.error as exc:
            raise UnreadableBodyError(f"the compressed answer is broken: {exc}") from None
    if inflater is not None:
        rest = inflater.flush()
        if rest:
            yield counted(rest)


def read_all(response: httpx.Response, limit: int, until: Deadline) -> bytes:
    """The whole decompressed body, at most ``limit`` bytes."""
    return b"".join(body(response, limit, until))


class BodyTooLargeError(httpx.DecodingError):
    """AnswerTooLargeBodyError as httpx raises its own failures, for code that reads
    responses through httpx (the connectors): it is an ``httpx.HTTPError``."""


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, response: httpx.Response, limit: int, until: Deadline, token: Any) -> None:
        self._response = response
        self._limit = limit
        self._until = until
        self._token = token

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from body(self._response, self._limit, self._until)
        except AnswerTooLargeBodyError as exc:
            raise BodyTooLargeError(str(exc)) from exc
        except UnreadableBodyError as exc:
            raise httpx.DecodingError(str(exc)) from exc

    def close(self) -> None:
        self._response.close()
        if self._token is not None:
            with contextlib.suppress(ValueError):  # closed in another context
                _current.reset(self._token)
            self._token = None


class BoundedTransport(httpx.BaseTransport):
    """Any transport, with every request's deadline and every answer's decompressed
    size bounded, whichever way the caller reads it (``.json()``, ``.text``,
    ``iter_bytes``). The answer comes without ``Content-Encoding``: it is inflated
    here, piece by piece."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        limit: int | None = None,
        seconds: float | None = None,
        per_mib: float = 0.0,
    ) -> None:
        self._inner = inner
        self._limit = limit  # None: MAX_ANSWER_BYTES, REQUEST_SECONDS as set now
        self._seconds = seconds
        self._per_mib = per_mib

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        seconds = REQUEST_SECONDS if self._seconds is None else self._seconds
        limit = MAX_ANSWER_BYTES if self._limit is None else self._limit
        until = Deadline.after(seconds, self._per_mib)
        # Set for the socket reads of this request, including the body read after
        # this returns; the stream's close() takes it away.
        token = _current.set(until)
        try:
            response = self._inner.handle_request(request)
        except BaseException:
            _current.reset(token)
            raise
        dropped = (b"content-encoding", b"content-length")
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in dropped]
        return httpx.Response(
            response.status_code,
            headers=headers,
            stream=_BoundedStream(response, limit, until, token),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()
