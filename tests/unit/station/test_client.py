"""How the client reports every way a server can fail, against real sockets."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import httpx
import pytest
import trustme

from doorcheck import __version__
from doorcheck.protocol import errors
from doorcheck.station.client import Credentials, StationClient, make_ssl_context

CREDS = Credentials("123", "aBcDeFgH", "Main Entrance")
E = TypeVar("E", bound=BaseException)


@contextmanager
def raw_server(
    handle: Callable[[socket.socket], None], wrap: ssl.SSLContext | None = None
) -> Iterator[int]:
    """A listening socket whose every connection is handed to ``handle``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                if wrap is not None:
                    conn = wrap.wrap_socket(conn, server_side=True)
                handle(conn)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def read_request(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def reply(raw: bytes) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(raw)

    return handle


def client_for(port: int, scheme: str = "http", **kwargs: object) -> StationClient:
    return StationClient(f"{scheme}://127.0.0.1:{port}", CREDS, **kwargs)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refused_login(raw: bytes, expected: type[E]) -> E:
    """The error a login gets from a server that answers ``raw`` to every request."""
    with (
        raw_server(reply(raw)) as port,
        client_for(port) as client,
        pytest.raises(expected) as exc,
    ):
        client.login()
    return exc.value


def test_connection_refused() -> None:
    with client_for(free_port()) as client, pytest.raises(errors.ServerUnreachableError) as exc:
        client.login()
    assert exc.value.retryable
    assert "offline" in exc.value.message


def test_a_server_that_never_answers_times_out() -> None:
    hold = threading.Event()

    def silent(conn: socket.socket) -> None:
        read_request(conn)
        hold.wait(5)

    timeout = httpx.Timeout(0.5)
    with raw_server(silent) as port, client_for(port, timeout=timeout) as client:
        try:
            with pytest.raises(errors.ServerTimeoutError):
                client.login()
        finally:
            hold.set()


def test_a_connection_cut_mid_response() -> None:
    cut = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
        b'{"status": "success", "guests": ['
    )
    with raw_server(reply(cut)) as port, client_for(port) as client:
        client.adopt_session("0" * 40)
        with pytest.raises(errors.BadResponseError) as exc:
            client.guests_all()
    assert exc.value.retryable


def test_truncated_json_with_a_matching_length() -> None:
    body = b'{"status": "success", "count": 2, "dateTime": "2026-11-21T18:00:00+01:00", "gu'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    with raw_server(reply(head % len(body) + body)) as port, client_for(port) as client:
        client.adopt_session("0" * 40)
        with pytest.raises(errors.BadResponseError):
            client.guests_all()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"Internal Server Error"),
        (502, b"<html><body>Bad Gateway</body></html>"),
        (503, b'{"status": "success"}'),
    ],
)
def test_http_5xx_is_a_server_failure(status: int, body: bytes) -> None:
    raw = (b"HTTP/1.1 %d Oops\r\nContent-Length: %d\r\n\r\n" % (status, len(body))) + body
    failure = refused_login(raw, errors.ServerFailureError)
    assert failure.status_code == status
    assert failure.retryable


@pytest.mark.parametrize(
    "body",
    [
        b"<html>captive portal: please log in to the hotel wifi</html>",
        b'{"status": "success"}',  # login without a token
        b'{"status": "weird"}',
        b"[1, 2, 3]",
    ],
)
def test_a_200_that_is_not_the_documented_json(body: bytes) -> None:
    raw = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    refused_login(raw, errors.BadResponseError)


def test_an_unknown_error_code_keeps_the_servers_words() -> None:
    body = (
        b'{"status": "error", "displayMessage": null,'
        b' "errors": [{"code": 4242, "message": "Event is closed."}]}'
    )
    raw = (b"HTTP/1.1 400 Bad\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    with (
        raw_server(reply(raw)) as port,
        client_for(port) as client,
        pytest.raises(errors.ProtocolError) as exc,
    ):
        client.login()
    assert exc.value.code == 4242
    assert "Event is closed." in exc.value.message


def test_an_untrusted_certificate_is_refused() -> None:
    ca = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    with (
        raw_server(reply(ok), wrap=server_context) as port,
        client_for(port, "https") as client,
        pytest.raises(errors.TlsError) as exc,
    ):
        client.login()
    assert not exc.value.retryable
    assert "certificate" in exc.value.message


def test_tls_below_1_2_is_refused() -> None:
    context = make_ssl_context()
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_requests_name_doorcheck_and_never_log_the_app_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"status": "error", "errors": [{"code": 1010, "message": "no"}]}
        )

    caplog.set_level("DEBUG")
    client = StationClient("https://station.invalid", CREDS, transport=httpx.MockTransport(handler))
    with client, pytest.raises(errors.WrongAppCodeError):
        client.login()
    assert seen[0].headers["user-agent"].startswith(f"doorcheck/{__version__}")
    assert "aBcDeFgH" not in caplog.text
    assert "aBcDeFgH" not in repr(CREDS)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b'{"status": "success", "guests": [{"fields": {"firstName": "Secretname", "e'),
        (200, b'[{"email": "secret.person@example.org"'),
        (503, b'{"status": "succ", "guests": [{"fields": {"lastName": "Secretname"'),
    ],
)
def test_a_broken_json_answer_is_never_quoted_in_the_error(status: int, body: bytes) -> None:
    # Broken JSON may be a guest list cut short: the error (and so the log) tells its
    # size, never its text; a proxy's page is quoted, since it says what is wrong.
    raw = (b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n" % (status, len(body))) + body
    error = refused_login(raw, errors.TransportError)
    told = f"{error} {error.detail}"
    assert "Secretname" not in told and "secret.person" not in told
    assert f"{len(body)} bytes" in told


def test_a_proxys_page_is_quoted_in_the_error() -> None:
    body = b"<html>captive portal: please log in to the hotel wifi</html>"
    raw = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    error = refused_login(raw, errors.BadResponseError)
    assert "please log in to the hotel wifi" in str(error.detail)


@pytest.mark.parametrize(
    ("occupancy", "zones"),
    [
        (None, None),  # a server without the extension: nothing to lay over
        ({"capacity": 50, "zones": [{"name": "Hall", "stations": ["Main Entrance"]}]}, ["Hall"]),
        ({"zones": [{"name": "Hall", "capacity": -1}]}, None),
        ({"zones": [{"name": "x" * 5000}]}, None),
        ({"zones": "all of them"}, None),
        ([1, 2, 3], None),
    ],
)
def test_the_login_takes_a_zone_plan_only_if_it_passes_its_checks(
    occupancy: object, zones: list[str] | None, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        answer: dict[str, object] = {
            "status": "success",
            "event": {"id": "123", "name": "Gala"},
            "stationName": "Main Entrance",
            "sessionToken": "a" * 40,
        }
        if occupancy is not None:
            answer["occupancy"] = occupancy
        return httpx.Response(200, json=answer)

    client = StationClient("https://station.invalid", CREDS, transport=httpx.MockTransport(handler))
    with client:
        result = client.login()  # a bad plan never fails the login
    plan = result.zone_plan
    assert (None if plan is None else [z.name for z in plan.zones]) == zones
    if occupancy is not None and zones is None:
        assert "zone plan is ignored" in caplog.text
