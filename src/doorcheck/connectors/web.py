"""What the web API connectors share: a verified HTTP client, a JSON answer or a
SourceError in words, and the helpers that turn source data into wire guests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from doorcheck.connectors.base import Capability, SourceError
from doorcheck.logs import register_secret
from doorcheck.protocol.liststream import WireGuest
from doorcheck.station import bounded
from doorcheck.words import mark, phrase


def client(
    url: str,
    secret: str,
    *,
    timeout: float,
    transport: httpx.BaseTransport | None,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """TLS verified (httpx's default, never switched off); the secret masked in logs.

    Every request has an overall deadline (``bounded.REQUEST_SECONDS``, as long as
    a page of attendees may take) and every answer a bound once decompressed
    (``bounded.MAX_ANSWER_BYTES``): a trickling server or a gzip bomb from a
    source fails the round in words instead of holding it or filling the memory.
    """
    register_secret(secret)
    return httpx.Client(
        base_url=url.rstrip("/"),
        timeout=timeout,
        transport=bounded.BoundedTransport(transport or bounded.transport(verify=True)),
        headers={
            "User-Agent": "doorcheck",
            "Accept-Encoding": bounded.ACCEPT_ENCODING,
            **(headers or {}),
        },
    )


@contextmanager
def reaching(source: str, *, forwarding: bool = False) -> Iterator[None]:
    """A network failure inside becomes a SourceError in the steward's words. A guest
    source's failure leaves the door working on its list; a destination we forward
    to (``forwarding``) is simply tried again."""
    try:
        yield
    except bounded.BodyTooLargeError as exc:
        raise SourceError(
            phrase("{source} sent a larger answer than the door accepts; we retry", source=source)
        ) from exc
    except httpx.TimeoutException as exc:
        raise SourceError(
            phrase("{source} did not answer in time; we retry", source=source)
            if forwarding
            else phrase("{source} did not answer in time; the door works on", source=source)
        ) from exc
    except httpx.HTTPError as exc:
        raise SourceError(
            phrase("Cannot reach {source}; we retry", source=source)
            if forwarding
            else phrase("Cannot reach {source}; the door works on offline", source=source)
        ) from exc


def request_json(
    http: httpx.Client, source: str, method: str, path: str, params: dict[str, str]
) -> tuple[httpx.Response, dict[str, Any]]:
    """The answer as JSON; a network failure or an answer that is not JSON becomes
    a SourceError naming ``source`` (the door works on with what it has)."""
    with reaching(source):
        response = http.request(method, path, params=params)
    try:
        answer = response.json()
    except (ValueError, RecursionError) as exc:  # not JSON, too deep, a number too long
        raise SourceError(
            phrase(
                "{source} sent an answer that is not JSON (HTTP {status}); we retry",
                source=source,
                status=response.status_code,
            )
        ) from exc
    if not isinstance(answer, dict):
        raise SourceError(
            phrase("{source} sent an answer that is not a JSON object", source=source)
        )
    return response, answer


def iso_time(value: Any) -> str | None:
    """A source's date-time as ISO 8601 with a zone (UTC where it gave none)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def wire(obj: dict[str, Any]) -> WireGuest:
    return obj, json.dumps(obj, ensure_ascii=False)


class WebConnector:
    """A source read over HTTP, with a cursor for increments (Connector)."""

    name = "web"
    capabilities = frozenset({Capability.READ, Capability.INCREMENTS})

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._http = client(url, secret, timeout=timeout, transport=transport, headers=headers)
        self._cursor: str | None = None

    def close(self) -> None:
        self._http.close()

    def cursor(self) -> str:
        if self._cursor is None:
            raise SourceError(mark("no sync position yet: load the list first"), retryable=False)
        return self._cursor
