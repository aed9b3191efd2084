"""A synchronous client of an Invitario-style check-in station (API v1.0)."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import certifi
import httpx

from doorcheck import __version__
from doorcheck.domain.occupancy import PlanError, ZonePlan
from doorcheck.domain.timeutil import zone_of
from doorcheck.logs import register_secret
from doorcheck.protocol import errors
from doorcheck.protocol.liststream import ListStreamError, WireGuest, read_guest_list
from doorcheck.protocol.wire import (
    ChangeResult,
    EventInfo,
    GuestList,
    JsonObject,
    LoginResult,
    OutgoingChange,
    guest_from_json,
    guest_id_of,
    in_server_zone,
    unreadable_reason,
)
from doorcheck.station import bounded

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = f"doorcheck/{__version__} (+https://github.com/doorcheck/doorcheck)"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=5.0)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a station logs in with. ``repr`` hides the App Code so it never reaches a log."""

    event_id: str
    app_code: str
    station_name: str

    def __repr__(self) -> str:
        return (
            f"Credentials(event_id={self.event_id!r}, app_code='***', "
            f"station_name={self.station_name!r})"
        )


def make_ssl_context() -> ssl.SSLContext:
    """Verified TLS, 1.2 at the least, against certifi's roots."""
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class StationClient:
    """Talks to one station server for one set of credentials.

    Methods block; call them off the GUI thread. A session expired on the server
    (code 30) is renewed by one transparent login and the request retried once.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        device_id: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        register_secret(credentials.app_code)  # masked in every log line from now on
        self.device_id = device_id
        self._session_token: str | None = None
        self.login_result: LoginResult | None = None
        if transport is None:
            # TCP_NODELAY: httpcore writes a POST's headers and body separately, and
            # with Nagle's algorithm each request then waits ~40 ms for a delayed ACK.
            transport = bounded.transport(
                verify=make_ssl_context(),
                socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            )
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": bounded.ACCEPT_ENCODING,
            },
            transport=transport,
            follow_redirects=False,
        )

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> StationClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def timeout(self) -> httpx.Timeout:
        return self._http.timeout

    @timeout.setter
    def timeout(self, value: httpx.Timeout) -> None:
        self._http.timeout = value

    @property
    def session_token(self) -> str | None:
        return self._session_token

    def adopt_session(self, token: str) -> None:
        """Reuse a token saved from an earlier login (it may have expired: then code 30)."""
        register_secret(token)
        self._session_token = token

    # -- the documented requests ---------------------------------------------------

    def login(self) -> LoginResult:
        body: JsonObject = {
            "eventId": self.credentials.event_id,
            "apiKey": self.credentials.app_code,
            "stationName": self.credentials.station_name,
        }
        if self.device_id:
            body["deviceId"] = self.device_id
        answer, response = self._post("/api/v1/login", body)
        token = answer.get("sessionToken")
        if not isinstance(token, str) or not token:
            raise errors.BadResponseError("login answer has no sessionToken")
        result = LoginResult(
            event=EventInfo.from_json(answer.get("event")),
            station_name=str(answer.get("stationName") or self.credentials.station_name),
            session_token=token,
            server_time=_date_header(response),
            mesh_secret=_mesh_secret(answer.get("meshSecret")),
            zone_plan=_zone_plan(answer.get("occupancy")),
        )
        register_secret(token)
        if result.mesh_secret:
            register_secret(result.mesh_secret)
        self._session_token = token
        self.login_result = result
        return result

    def logout(self) -> None:
        if self._session_token is None:
            return
        try:
            self._post("/api/v1/logout", {"sessionToken": self._session_token})
        except errors.InvalidSessionError:
            pass  # already expired: the goal, no session, is reached
        finally:
            self._session_token = None

    def guests_all(self) -> GuestList:
        answer = self._authed("/api/v1/guest/list/all", {}, guest_list=True)
        return _guest_list(answer)

    def guests_recent(self, since: str) -> GuestList:
        """Changes since ``since``, which must be the ``dateTime`` of an earlier answer.
        (A door offline for long, or a server that re-stamped every guest, gets a
        whole list's worth: bounded as a list, not as a small answer.)"""
        answer = self._authed(
            "/api/v1/guest/list/recent", {"sinceDateTime": since}, guest_list=True
        )
        return _guest_list(answer)

    def stream_all(self, sink: GuestSink, batch: int = 2000) -> ListSummary:
        """``guest/list/all`` parsed as it arrives; each guest object, with its text
        as sent, handed to ``sink`` in batches.

        A full list can hold 100,000 guests (tens of megabytes): parsing it whole
        would hold the body and every object at once. Nothing reaches ``sink`` when
        the server answers with an error.
        """
        return self._stream("/api/v1/guest/list/all", {}, sink, batch)

    def stream_recent(self, since: str, sink: GuestSink, batch: int = 2000) -> ListSummary:
        return self._stream("/api/v1/guest/list/recent", {"sinceDateTime": since}, sink, batch)

    def _stream(self, path: str, body: JsonObject, sink: GuestSink, batch: int) -> ListSummary:
        # Offset-less date-times are in the server's zone (DESIGN.md §2.5): the
        # answer's dateTime gives it; until that is read (it may follow the
        # guests), the previous answer's, which a recent pull sends as since.
        zone_hint = zone_of(body.get("sinceDateTime"))
        return self._with_session(
            lambda token: self._stream_once(path, token, body, sink, batch, zone_hint)
        )

    def _stream_once(
        self,
        path: str,
        token: str,
        body: JsonObject,
        sink: GuestSink,
        batch: int,
        zone_hint: tzinfo,
    ) -> ListSummary:
        until = bounded.Deadline.after(bounded.REQUEST_SECONDS, bounded.LIST_SECONDS_PER_MIB)
        with (
            _transport_errors(),
            bounded.deadline(until),
            self._http.stream("POST", path, json={"sessionToken": token, **body}) as response,
        ):
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or "json" not in kind:
                _read_envelope(response, _read(response, until))  # raises the right error
                raise errors.BadResponseError("guest list answer is not a JSON list")
            chunks = bounded.body(response, bounded.MAX_LIST_BYTES, until)
            return _parse_guest_stream(chunks, sink, batch, zone_hint)

    # -- the write extension (doorcheck's; docs/protocol.md) ----------------------

    def push_changes(self, changes: Sequence[OutgoingChange]) -> list[ChangeResult]:
        answer = self._authed("/api/v1/guest/changes", {"changes": [c.to_json() for c in changes]})
        results = answer.get("results")
        if not isinstance(results, list):
            raise errors.BadResponseError("changes answer has no results list")
        parsed = [ChangeResult.from_json(r) for r in results]
        if {r.nonce for r in parsed} != {c.nonce for c in changes}:
            raise errors.BadResponseError("changes answer does not match the changes sent")
        return parsed

    # -- plumbing ------------------------------------------------------------------

    def _authed(self, path: str, body: JsonObject, *, guest_list: bool = False) -> JsonObject:
        return self._with_session(
            lambda token: self._post(path, {"sessionToken": token, **body}, guest_list)[0]
        )

    def _with_session(self, call: Callable[[str], T]) -> T:
        """Run a request with the session; if it expired (code 30), log in again
        once and repeat it."""
        if self._session_token is None:
            self.login()
        assert self._session_token is not None
        try:
            return call(self._session_token)
        except errors.InvalidSessionError:
            log.info("session expired; logging in again")
            self.login()
            assert self._session_token is not None
            return call(self._session_token)

    def _post(
        self, path: str, body: JsonObject, guest_list: bool = False
    ) -> tuple[JsonObject, httpx.Response]:
        # A guest list gets the list's bounds: its size, and time that grows as it flows.
        until = bounded.Deadline.after(
            bounded.REQUEST_SECONDS, bounded.LIST_SECONDS_PER_MIB if guest_list else 0.0
        )
        limit = bounded.MAX_LIST_BYTES if guest_list else bounded.MAX_ANSWER_BYTES
        with (
            _transport_errors(),
            bounded.deadline(until),
            self._http.stream("POST", path, json=body) as response,
        ):
            content = bounded.read_all(response, limit, until)
        return _read_envelope(response, content), response


def _read(response: httpx.Response, until: bounded.Deadline) -> bytes:
    return bounded.read_all(response, bounded.MAX_ANSWER_BYTES, until)


@contextlib.contextmanager
def _transport_errors() -> Iterator[None]:
    """httpx's failures, and answers past their bounds, as the station errors a
    steward can read."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise errors.ServerTimeoutError(f"timeout: {exc}") from exc
    except httpx.ConnectError as exc:
        if _is_tls_failure(exc):
            raise errors.TlsError(str(exc)) from exc
        raise errors.ServerUnreachableError(str(exc)) from exc
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError,
            httpx.DecodingError) as exc:  # fmt: skip
        raise errors.BadResponseError(f"connection broken: {exc}") from exc
    except httpx.TransportError as exc:
        raise errors.ServerUnreachableError(str(exc)) from exc
    except bounded.AnswerTooLargeBodyError as exc:
        raise errors.AnswerTooLargeError(str(exc)) from exc
    except bounded.UnreadableBodyError as exc:
        raise errors.BadResponseError(str(exc)) from exc


def _is_tls_failure(exc: Exception) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper()


def _read_envelope(response: httpx.Response, content: bytes) -> JsonObject:
    """Turn any HTTP answer into the success body or the right exception."""
    try:
        answer: Any = json.loads(content)
    except (ValueError, RecursionError):  # broken JSON, a number too long, deep nesting
        answer = None
    if isinstance(answer, dict) and answer.get("status") == "error":
        raise _first_error(answer)
    if response.status_code >= 500:
        raise errors.ServerFailureError(response.status_code, _quotable(content))
    if not isinstance(answer, dict):
        raise errors.BadResponseError(
            f"HTTP {response.status_code}, not a JSON object: {_quotable(content)}"
        )
    if answer.get("status") != "success":
        raise errors.BadResponseError(f"HTTP {response.status_code}, no status 'success'")
    return answer


def _quotable(content: bytes) -> str:
    """What of an unreadable answer may go into an error (and so the log): a proxy's or
    a captive portal's page says what is wrong, but broken JSON may be a guest list cut
    short, names and emails in it, so of that only its size is told."""
    if content.lstrip()[:1] in (b"{", b"["):
        return f"broken JSON of {len(content)} bytes (not quoted: it may hold guests' data)"
    return repr(content[:200].decode("utf-8", "replace"))


def _first_error(answer: JsonObject) -> errors.ProtocolError:
    listed = answer.get("errors")
    if isinstance(listed, list):
        for item in listed:
            if isinstance(item, dict) and isinstance(item.get("code"), int):
                return errors.protocol_error(item["code"], _text(item.get("message")))
    return errors.protocol_error(None, _text(answer.get("displayMessage")))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _guest_list(answer: JsonObject) -> GuestList:
    guests = answer.get("guests")
    date_time = answer.get("dateTime")
    if not isinstance(guests, list):
        raise errors.BadResponseError("guest list answer has no guests list")
    if not isinstance(date_time, str) or not date_time:
        raise errors.BadResponseError("guest list answer has no dateTime")
    zone = zone_of(date_time)
    parsed = []
    for obj in guests:
        obj, raw = in_server_zone((obj, json.dumps(obj, ensure_ascii=False)), zone)
        reason = unreadable_reason(obj, raw)
        if reason is not None:
            log.warning("guest %r could not be read and is left out: %s", guest_id_of(obj), reason)
            continue
        parsed.append(guest_from_json(obj))
    count = answer.get("count")
    return GuestList(
        count=count if isinstance(count, int) else len(parsed), date_time=date_time, guests=parsed
    )


GuestSink = Callable[[list[WireGuest]], None]


@dataclass(frozen=True, slots=True)
class ListSummary:
    count: int
    date_time: str


def _parse_guest_stream(
    chunks: Iterator[bytes], sink: GuestSink, batch: int, zone_hint: tzinfo
) -> ListSummary:
    """Every guest element goes to ``sink``, readable or not: the store sets aside
    what it cannot read and keeps the rest (a poisoned guest must not stop the list).
    """
    delivered = 0
    envelope: dict[str, Any] = {}

    def in_zone(guests: list[WireGuest]) -> None:
        nonlocal delivered
        date_time = envelope.get("dateTime")
        zone = zone_of(date_time) if isinstance(date_time, str) else zone_hint
        delivered += len(guests)
        sink([in_server_zone(guest, zone) for guest in guests])

    try:
        read_guest_list(chunks, in_zone, batch, envelope)
    except ListStreamError as exc:
        raise errors.BadResponseError(f"guest list is not valid JSON: {exc}") from exc
    if envelope.get("status") == "error":
        raise _first_error(envelope)
    if envelope.get("status") != "success":
        raise errors.BadResponseError("guest list answer has no status 'success'")
    date_time = envelope.get("dateTime")
    if not isinstance(date_time, str) or not date_time:
        raise errors.BadResponseError("guest list answer has no dateTime")
    count = envelope.get("count")
    return ListSummary(count=count if isinstance(count, int) else delivered, date_time=date_time)


def _date_header(response: httpx.Response) -> Any:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _zone_plan(value: object) -> ZonePlan | None:
    """The event's zone plan from the login answer; one that does not pass its checks
    is logged and ignored (the door counts without zones rather than stop)."""
    if value is None:
        return None
    try:
        return ZonePlan.from_json(value)
    except PlanError as exc:
        log.warning("the server's zone plan is ignored: %s", exc)
        return None


def _mesh_secret(value: object) -> str | None:
    """A mesh secret as the login extension gives it: base64url of 32 bytes (43
    characters); anything else is ignored (a vendor's server has none)."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]{43}", value):
        return value
    return None
