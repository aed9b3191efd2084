"""The server answers bad input cleanly, in the error envelope, and keeps serving."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support import RunningServer


def assert_envelope(answer: httpx.Response, code: int, status: int) -> None:
    assert answer.status_code == status
    body = answer.json()
    assert body["status"] == "error"
    assert body["errors"][0]["code"] == code
    assert isinstance(body["errors"][0]["message"], str)


def still_serving(server: RunningServer) -> None:
    with server.client() as client:
        assert client.guests_all().count == len(server.guests)


def test_a_50_mb_body_is_refused_without_reading_it_all(server: RunningServer) -> None:
    body = b'{"sessionToken": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    answer = httpx.post(
        server.url + "/api/v1/guest/list/all",
        content=body,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert_envelope(answer, 40, 413)
    still_serving(server)


def test_a_large_chunked_body_without_length_is_refused(server: RunningServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"sessionToken": "'
        for _ in range(30):
            yield b"y" * (1024 * 1024)
        yield b'"}'

    answer = httpx.post(
        server.url + "/api/v1/login",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert_envelope(answer, 40, 413)
    still_serving(server)


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png"],
)
def test_wrong_content_types_are_refused(server: RunningServer, content_type: str) -> None:
    answer = httpx.post(
        server.url + "/api/v1/login", content=b"eventId=1", headers={"content-type": content_type}
    )
    assert_envelope(answer, 10, 415)


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b'"text"', b"null", b"\xff\xfe\x00", b'{"eventId": "1"', b"{'single': 'quotes'}"],
)
def test_bodies_that_are_not_a_json_object_are_code_10(server: RunningServer, body: bytes) -> None:
    answer = httpx.post(
        server.url + "/api/v1/login", content=body, headers={"content-type": "application/json"}
    )
    assert_envelope(answer, 10, 400)


def test_unknown_paths_and_methods_are_answered_in_the_envelope(server: RunningServer) -> None:
    assert_envelope(httpx.post(server.url + "/api/v1/guest/delete", json={}), 50, 404)
    assert_envelope(httpx.post(server.url + "/", json={}), 50, 404)
    assert_envelope(httpx.get(server.url + "/api/v1/guest/list/all"), 50, 405)


def test_unparseable_since_is_code_20(server: RunningServer) -> None:
    with server.client() as client:
        token = client.login().session_token
    answer = httpx.post(
        server.url + "/api/v1/guest/list/recent",
        json={"sessionToken": token, "sinceDateTime": "last tuesday"},
    )
    assert_envelope(answer, 20, 400)


def test_changes_must_be_a_list(server: RunningServer) -> None:
    with server.client() as client:
        token = client.login().session_token
    for changes in ({"nonce": "x"}, "x", None, 5):
        answer = httpx.post(
            server.url + "/api/v1/guest/changes", json={"sessionToken": token, "changes": changes}
        )
        assert_envelope(answer, 20, 400)


def test_a_client_that_hangs_up_mid_request_does_not_hurt(server: RunningServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ev'
        )
    still_serving(server)


def test_the_listening_socket_is_tcp_so_answers_are_not_delayed() -> None:
    """asyncio sets TCP_NODELAY on accepted connections only for IPPROTO_TCP sockets;
    without it each keep-alive answer stalls ~40 ms on a delayed ACK."""
    from doorcheck.server.serve import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
