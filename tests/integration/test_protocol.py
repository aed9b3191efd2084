"""Every documented request, answer and error, between our client and our server."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.guest import RegistrationState
from doorcheck.domain.timeutil import parse_datetime
from doorcheck.protocol import errors
from doorcheck.station.client import Credentials, StationClient
from tests.support import RunningServer
from tests.support.changes import change


def raw(server: RunningServer, path: str, body: object) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=10)


def login_token(server: RunningServer, station: str = "Main Entrance") -> str:
    answer = raw(
        server,
        "/api/v1/login",
        {
            "eventId": server.event_id,
            "apiKey": server.stations[station].app_code,
            "stationName": station,
        },
    )
    return str(answer.json()["sessionToken"])


def test_login_answers_the_documented_shape(server: RunningServer) -> None:
    answer = raw(
        server,
        "/api/v1/login",
        {"eventId": server.event_id, "apiKey": "main-code-1", "stationName": "Main Entrance"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "success"
    assert body["stationName"] == "Main Entrance"
    assert re.fullmatch(r"[0-9a-f]{40}", body["sessionToken"])
    event = body["event"]
    assert event["id"] == server.event_id
    assert event["name"] == "Test Gala"
    assert event["company"] == "Test Co"
    assert {"startDateTime", "endDateTime", "configuration"} <= event.keys()
    assert event["configuration"]["mode"] == "checkIn"


def test_client_login_returns_event_and_configuration(server: RunningServer) -> None:
    with server.client("Cloakroom") as client:
        result = client.login()
    assert result.event.name == "Test Gala"
    assert result.station_name == "Cloakroom"
    assert result.event.configuration.mode.value == "toggle"
    assert result.server_time is not None


def test_station_name_matches_case_insensitively(server: RunningServer) -> None:
    creds = Credentials(server.event_id, "main-code-1", "main entrance")
    with StationClient(server.url, creds) as client:
        assert client.login().station_name == "Main Entrance"


@pytest.mark.parametrize(
    ("event", "key", "station", "error", "code"),
    [
        ("nope", "main-code-1", "Main Entrance", errors.UnknownEventError, 1000),
        (None, "wrong", "Main Entrance", errors.WrongAppCodeError, 1010),
        (None, "main-code-1", "No Such Door", errors.WrongAppCodeError, 1010),
        (None, "side-code-2", "Main Entrance", errors.WrongAppCodeError, 1010),
    ],
)
def test_login_errors(
    server: RunningServer,
    event: str | None,
    key: str,
    station: str,
    error: type[errors.ProtocolError],
    code: int,
) -> None:
    body = {"eventId": event or server.event_id, "apiKey": key, "stationName": station}
    answer = raw(server, "/api/v1/login", body).json()
    assert answer["status"] == "error"
    assert answer["displayMessage"] is None
    assert answer["errors"][0]["code"] == code
    with (
        StationClient(server.url, Credentials(body["eventId"], key, station)) as client,
        pytest.raises(error) as caught,
    ):
        client.login()
    assert caught.value.code == code
    assert "App Code" in caught.value.message or "event ID" in caught.value.message


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/login",
        "/api/v1/guest/list/all",
        "/api/v1/guest/list/recent",
        "/api/v1/logout",
        "/api/v1/guest/changes",
    ],
)
def test_invalid_json_is_code_10(server: RunningServer, path: str) -> None:
    answer = httpx.post(
        server.url + path, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == 10


def test_missing_parameters_are_code_20_and_named(server: RunningServer) -> None:
    answer = raw(server, "/api/v1/login", {"eventId": server.event_id}).json()
    assert answer["errors"][0]["code"] == 20
    assert "apiKey" in answer["errors"][0]["message"]
    assert "stationName" in answer["errors"][0]["message"]
    token = login_token(server)
    answer = raw(server, "/api/v1/guest/list/recent", {"sessionToken": token}).json()
    assert answer["errors"][0]["code"] == 20
    assert "sinceDateTime" in answer["errors"][0]["message"]
    assert raw(server, "/api/v1/guest/list/all", {}).json()["errors"][0]["code"] == 20


@pytest.mark.parametrize(
    "body",
    [
        {"eventId": 123, "apiKey": "x", "stationName": "y"},
        {"eventId": "1", "apiKey": ["x"], "stationName": "y"},
        {"eventId": "1", "apiKey": "x", "stationName": None},
    ],
)
def test_wrong_types_are_answered_as_missing(server: RunningServer, body: object) -> None:
    answer = raw(server, "/api/v1/login", body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == 20


def test_a_bad_token_is_code_30(server: RunningServer) -> None:
    answer = raw(server, "/api/v1/guest/list/all", {"sessionToken": "0" * 40}).json()
    assert answer["status"] == "error"
    assert answer["errors"][0] == {"code": 30, "message": "Invalid session token provided."}


def test_full_list_has_every_guest_and_the_documented_envelope(server: RunningServer) -> None:
    token = login_token(server)
    body = raw(server, "/api/v1/guest/list/all", {"sessionToken": token}).json()
    assert body["status"] == "success"
    assert body["count"] == len(server.guests) == len(body["guests"])
    assert parse_datetime(body["dateTime"]) is not None
    assert re.search(r"[+-]\d\d:\d\d$", body["dateTime"])  # ISO 8601 with offset
    codes = {g["accessCode"] for g in body["guests"]}
    assert codes == {g.access_code for g in server.guests}
    guest = body["guests"][0]
    for key in (
        "id",
        "parentId",
        "accessCode",
        "clientUpdateDateTime",
        "serverUpdateDateTime",
        "checkInDateTime",
        "checkOutDateTime",
        "deleteDateTime",
        "registrationState",
        "fields",
        "companions",
    ):
        assert key in guest
    assert guest["fields"]["customField47"] == ["vegan"]
    assert guest["fields"]["lastName"] == "Müller"


def test_recent_brings_only_changes_and_deletions(server: RunningServer) -> None:
    with server.client() as client:
        first = client.guests_all()
        server.clock.advance(timedelta(seconds=2))
        nothing = client.guests_recent(first.date_time)
        server.clock.advance(timedelta(seconds=2))
        victim = server.guests[3]
        server.repository.delete_guest(server.event_id, victim.id)
        changed = client.guests_recent(nothing.date_time)
        after_delete = client.guests_all()
    assert nothing.count == 0
    assert [g.id for g in changed.guests] == [victim.id]
    assert changed.guests[0].delete_time is not None
    assert victim.id not in {g.id for g in after_delete.guests}


def test_deregistration_reaches_recent(server: RunningServer) -> None:
    with server.client() as client:
        first = client.guests_all()
        server.clock.advance(timedelta(seconds=2))
        server.repository.set_registration(
            server.event_id, server.guests[1].id, RegistrationState.DEREGISTERED
        )
        changed = client.guests_recent(first.date_time)
    assert [g.registration_state for g in changed.guests] == [RegistrationState.DEREGISTERED]


def test_a_segment_filters_the_list(server: RunningServer) -> None:
    with server.client("VIP Lounge") as client:
        vip = client.guests_all()
    expected = {g.access_code for i, g in enumerate(server.guests) if i % 5 == 0}
    assert {g.access_code for g in vip.guests} == expected


def test_logout_ends_the_session(server: RunningServer) -> None:
    token = login_token(server)
    assert raw(server, "/api/v1/logout", {"sessionToken": token}).json() == {"status": "success"}
    answer = raw(server, "/api/v1/guest/list/all", {"sessionToken": token}).json()
    assert answer["errors"][0]["code"] == 30


def test_token_expires_after_its_lifetime_since_last_use(server: RunningServer) -> None:
    server.repository.settings.token_lifetime = timedelta(minutes=10)
    token = login_token(server)
    for _ in range(3):  # each use pushes expiry out again
        server.clock.advance(timedelta(minutes=8))
        answer = raw(server, "/api/v1/guest/list/all", {"sessionToken": token}).json()
        assert answer["status"] == "success"
    server.clock.advance(timedelta(minutes=11))
    answer = raw(server, "/api/v1/guest/list/all", {"sessionToken": token}).json()
    assert answer["errors"][0]["code"] == 30


def test_client_logs_in_again_once_when_the_session_expired(server: RunningServer) -> None:
    server.repository.settings.token_lifetime = timedelta(minutes=10)
    with server.client() as client:
        client.login()
        old = client.session_token
        server.clock.advance(timedelta(hours=1))
        guests = client.guests_all()
        assert guests.count == len(server.guests)
        assert client.session_token != old


def test_client_raises_when_relogin_does_not_help(server: RunningServer) -> None:
    with server.client() as client:
        client.login()
        server.stations["Main Entrance"].app_code = "changed"
        client.credentials = Credentials(server.event_id, "wrong", "Main Entrance")
        raw(server, "/api/v1/logout", {"sessionToken": client.session_token})
        with pytest.raises(errors.WrongAppCodeError):
            client.guests_all()


def test_max_devices_is_enforced_and_a_device_may_log_in_again(server: RunningServer) -> None:
    repo = server.repository
    repo.create_station(server.event_id, "Tiny Door", app_code="tiny", max_devices=2)
    server.stations["Tiny Door"] = type(server.stations["Exit"])("Tiny Door", "tiny")
    a = server.client("Tiny Door", device_id="laptop-a")
    b = server.client("Tiny Door", device_id="laptop-b")
    c = server.client("Tiny Door", device_id="laptop-c")
    a.login()
    b.login()
    with pytest.raises(errors.TooManyDevicesError):
        c.login()
    a.login()  # the same device again replaces its own session
    b.logout()
    c.login()
    for client in (a, b, c):
        client.close()


def test_repeated_failed_logins_are_slowed_down(server: RunningServer) -> None:
    from doorcheck.server.brake import BrakeSettings

    body = {"eventId": server.event_id, "apiKey": "guess", "stationName": "Main Entrance"}
    free = BrakeSettings().per_address.free
    codes = [
        raw(server, "/api/v1/login", body).json()["errors"][0]["code"] for _ in range(free + 2)
    ]
    assert codes[:free] == [1010] * free
    assert codes[free:] == [1030, 1030]
    # Even the right App Code waits out the lockout.
    good = dict(body, apiKey="main-code-1")
    answer = raw(server, "/api/v1/login", good)
    assert answer.status_code == 429
    with server.client() as client, pytest.raises(errors.TooManyLoginAttemptsError):
        client.login()


def test_app_codes_are_stored_hashed(server: RunningServer) -> None:
    from sqlalchemy import select

    from doorcheck.server import db

    with server.repository.engine.connect() as conn:
        stored = list(conn.execute(select(db.stations.c.app_code_hash)).scalars())
        tokens = list(conn.execute(select(db.sessions.c.token_hash)).scalars())
    assert all(s.startswith("scrypt$") for s in stored)
    assert not any("main-code-1" in s for s in stored)
    token = login_token(server)
    with server.repository.engine.connect() as conn:
        tokens = list(conn.execute(select(db.sessions.c.token_hash)).scalars())
    assert token not in tokens


def test_fast_list_rendering_equals_the_wire_model(server: RunningServer) -> None:
    """The list answer is rendered from stored JSON text; it must equal guest_to_json."""
    from sqlalchemy import select, update

    from doorcheck.protocol.wire import guest_to_json
    from doorcheck.server import db
    from doorcheck.server.repository import _guest, render_guest_row

    with server.repository.engine.begin() as conn:
        conn.execute(
            update(db.guests)
            .where(db.guests.c.id == server.guests[0].id)
            .values(extra='{"seat": "A1"}', highlight_color="#ffeedd")
        )
    with server.client() as client:
        client.push_changes([change(Action.CHECK_IN, server.guests[1].id)])
        listed = {
            g["id"]: g
            for g in raw(
                server, "/api/v1/guest/list/all", {"sessionToken": client.session_token}
            ).json()["guests"]
        }
    with server.repository.engine.connect() as conn:
        rows = conn.execute(select(db.guests)).all()
    assert len(rows) == len(listed)
    for row in rows:
        assert listed[row.id] == guest_to_json(_guest(row, []))
        assert json.loads(render_guest_row(row, [])) == guest_to_json(_guest(row, []))
    assert listed[server.guests[0].id]["seat"] == "A1"
    assert listed[server.guests[1].id]["checkInStationName"] == "Main Entrance"
