"""Hostile input: answered with its documented code, never stored, never a 500 (issue 12)."""

from __future__ import annotations

import argparse
import json
import logging
import socket
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from doorcheck.commands.common import CommandError
from doorcheck.commands.server import cmd_admin_import
from doorcheck.server import db
from doorcheck.server.db import create_schema, make_engine
from doorcheck.server.repository import StationRepository
from tests.support import RunningServer, running_server, seed

SURROGATE = '"\\ud800"'  # a JSON escape that decodes to a lone surrogate
DEEP = "[" * 100_000 + "]" * 100_000
HUGE_NUMBER = "9" * 5000


def post(server: RunningServer, path: str, body: str | bytes) -> httpx.Response:
    return httpx.post(
        server.url + path,
        content=body.encode() if isinstance(body, str) else body,
        headers={"content-type": "application/json"},
        timeout=30,
    )


def login_token(server: RunningServer, station: str = "Main Entrance") -> str:
    with server.client(station) as client:
        return client.login().session_token


def error_code(answer: httpx.Response) -> int:
    body = answer.json()
    assert body["status"] == "error"
    assert isinstance(body["errors"][0]["message"], str)
    return int(body["errors"][0]["code"])


def stored_changes(server: RunningServer) -> int:
    with server.repository.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(db.changes)).scalar_one())


def kiosk_reads_the_list(server: RunningServer) -> int:
    """The whole stored list, read with the kiosk's own client and parser."""
    with server.client() as client:
        return client.guests_all().count


@pytest.mark.parametrize(
    "value",
    [HUGE_NUMBER, DEEP, SURROGATE, "NaN", "Infinity", "1e999", '{"a": ' * 5000 + "1" + "}" * 5000],
    ids=["5000-digits", "deep-nesting", "surrogate", "nan", "infinity", "float-overflow", "deep"],
)
@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/login", "eventId"),
        ("/api/v1/login", "apiKey"),
        ("/api/v1/guest/list/all", "sessionToken"),
        ("/api/v1/guest/list/recent", "sinceDateTime"),
        ("/api/v1/guest/changes", "changes"),
        ("/api/v1/logout", "sessionToken"),
    ],
)
def test_unparseable_values_are_code_10_without_a_traceback(
    server: RunningServer, caplog: pytest.LogCaptureFixture, path: str, key: str, value: str
) -> None:
    with caplog.at_level(logging.ERROR):
        answer = post(server, path, '{"' + key + '": ' + value + "}")
    assert answer.status_code == 400
    assert error_code(answer) == 10
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("key", ["eventId", "apiKey", "stationName"])
def test_a_surrogate_in_a_login_text_is_refused(server: RunningServer, key: str) -> None:
    fields = {"eventId": json.dumps(server.event_id), "apiKey": '"main-code-1"'}
    fields["stationName"] = '"Main Entrance"'
    fields[key] = '"ab\\udfffcd"'
    body = "{" + ",".join(f'"{k}": {v}' for k, v in fields.items()) + "}"
    answer = post(server, "/api/v1/login", body)
    assert (answer.status_code, error_code(answer)) == (400, 10)


def test_a_surrogate_in_a_nonce_is_refused_and_nothing_stored(server: RunningServer) -> None:
    token = login_token(server)
    body = (
        '{"sessionToken": "' + token + '", "changes": [{"nonce": "n\\ud800", "action": "checkIn",'
        ' "guestId": "'
        + server.guests[0].id
        + '", "clientUpdateDateTime": "'
        + datetime.now(UTC).isoformat()
        + '"}]}'
    )
    answer = post(server, "/api/v1/guest/changes", body)
    assert (answer.status_code, error_code(answer)) == (400, 10)
    assert stored_changes(server) == 0


def test_overlong_login_texts_are_code_20(server: RunningServer) -> None:
    answer = httpx.post(
        server.url + "/api/v1/login",
        json={"eventId": "1" * 5000, "apiKey": "x", "stationName": "Main Entrance"},
    )
    assert (answer.status_code, error_code(answer)) == (400, 20)


@pytest.mark.parametrize(
    "since",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-13-45T00:00:00+00:00"],
)
def test_an_out_of_range_since_is_code_20_not_a_cut_off_list(
    server: RunningServer, since: str
) -> None:
    token = login_token(server)
    answer = httpx.post(
        server.url + "/api/v1/guest/list/recent",
        json={"sessionToken": token, "sinceDateTime": since},
    )
    assert (answer.status_code, error_code(answer)) == (400, 20)


def test_the_oldest_since_still_lists_everything(server: RunningServer) -> None:
    token = login_token(server)
    answer = httpx.post(
        server.url + "/api/v1/guest/list/recent",
        json={"sessionToken": token, "sinceDateTime": "0001-01-01T00:00:00+00:00"},
    )
    assert answer.status_code == 200
    assert answer.json()["count"] == len(server.guests)


def companion(server: RunningServer, fields: object, **extra: object) -> dict[str, object]:
    item: dict[str, object] = {
        "nonce": str(uuid.uuid4()),
        "action": "addCompanion",
        "guestId": str(uuid.uuid4()),
        "parentId": server.guests[0].id,
        "clientUpdateDateTime": datetime.now(UTC).isoformat(),
        "fields": fields,
    }
    return item | extra


def test_a_surrogate_in_a_companion_name_is_refused_and_the_list_stays_readable(
    server: RunningServer,
) -> None:
    token = login_token(server)
    item = json.dumps(companion(server, {"firstName": "PLACEHOLDER"}))
    item = item.replace('"PLACEHOLDER"', SURROGATE)
    answer = post(
        server,
        "/api/v1/guest/changes",
        '{"sessionToken": "' + token + '", "changes": [' + item + "]}",
    )
    assert (answer.status_code, error_code(answer)) == (400, 10)
    assert stored_changes(server) == 0
    assert kiosk_reads_the_list(server) == len(server.guests)


def the_answer_to(server: RunningServer, item: dict[str, object]) -> dict[str, object]:
    """One change posted as a logged-in station; its result in the answer."""
    answer = httpx.post(
        server.url + "/api/v1/guest/changes",
        json={"sessionToken": login_token(server), "changes": [item]},
    )
    assert answer.status_code == 200
    (result,) = answer.json()["results"]
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize(
    "fields",
    [
        {"firstName": {"nested": "object"}},
        {"firstName": 5},
        {"firstName": [1, 2]},
        {"firstName": "x" * 5000},
        {"firstName": "Null\x00byte"},
        {"": "empty name"},
        {f"f{i}": "x" for i in range(500)},
        "not an object",
        [1, 2, 3],
    ],
    ids=["object", "number", "numbers", "long", "nul", "empty-key", "many", "text", "list"],
)
def test_garbage_companion_fields_are_rejected_and_not_stored(
    server: RunningServer, fields: object
) -> None:
    item = companion(server, fields)
    result = the_answer_to(server, item)
    assert (result["result"], result["code"]) == ("rejected", 2040)
    assert stored_changes(server) == 0
    assert server.repository.find_guest_id(server.event_id, str(item["guestId"])) is None
    assert kiosk_reads_the_list(server) == len(server.guests)


@pytest.mark.parametrize(
    "door_time",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "next week", None, 5],
)
def test_unreadable_door_times_are_rejected_not_stored(
    server: RunningServer, door_time: object
) -> None:
    item = {
        "nonce": str(uuid.uuid4()),
        "action": "checkIn",
        "guestId": server.guests[0].id,
        "clientUpdateDateTime": door_time,
    }
    result = the_answer_to(server, item)
    assert (result["result"], result["code"]) == ("rejected", 2040)
    assert stored_changes(server) == 0


def test_a_null_or_garbage_change_is_code_20(server: RunningServer) -> None:
    token = login_token(server)
    for changes in ([None], [5], ["x"], [{"nonce": None}], [{"nonce": "n" * 101}]):
        answer = httpx.post(
            server.url + "/api/v1/guest/changes",
            json={"sessionToken": token, "changes": changes},
        )
        assert (answer.status_code, error_code(answer)) == (400, 20)
    assert stored_changes(server) == 0


def import_csv(server: RunningServer, tmp_path: Path, text: str | bytes) -> None:
    path = tmp_path / "guests.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    url = server.repository.engine.url.render_as_string(hide_password=False)
    cmd_admin_import(argparse.Namespace(db=url, data=None, event=server.event_id, csv=path))


@pytest.mark.parametrize(
    "csv_text",
    [
        "First Name;Last Name;Access Code\nAnna;" + "x" * 5000 + ";NEW001\n",
        "First Name;Last Name;Access Code\nAnna;Bell\x07;NEW001\n",
        "First Name;Id;Access Code\nAnna;" + "i" * 65 + ";NEW001\n",
        "First Name;Highlight Color;Access Code\nAnna;" + "#" * 40 + ";NEW001\n",
        b"First Name;Access Code\nAnna\xff\xfe;NEW001\n",
    ],
    ids=["long-field", "control-character", "long-id", "long-colour", "not-utf8"],
)
def test_the_csv_import_refuses_what_kiosks_could_not_read(
    server: RunningServer, tmp_path: Path, csv_text: str | bytes
) -> None:
    with pytest.raises(CommandError):
        import_csv(server, tmp_path, csv_text)
    assert server.repository.find_guest_id(server.event_id, "NEW001") is None
    assert kiosk_reads_the_list(server) == len(server.guests)


def test_the_csv_import_still_takes_good_guests(server: RunningServer, tmp_path: Path) -> None:
    import_csv(server, tmp_path, "First Name;Last Name;Access Code\nAnna;Bell;NEW001\n")
    assert server.repository.find_guest_id(server.event_id, "NEW001") is not None
    assert kiosk_reads_the_list(server) == len(server.guests) + 1


def test_a_valid_companion_is_still_applied(server: RunningServer) -> None:
    token = login_token(server)
    item = companion(server, {"firstName": "Zoë", "lastName": None, "tags": ["a", "b"]})
    answer = httpx.post(
        server.url + "/api/v1/guest/changes", json={"sessionToken": token, "changes": [item]}
    )
    (result,) = answer.json()["results"]
    assert result["result"] == "applied"
    assert kiosk_reads_the_list(server) == len(server.guests) + 1


def test_a_guest_poisoned_before_the_upgrade_is_healed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/station.sqlite3"
    engine = make_engine(url)
    create_schema(engine)
    seeded = seed(StationRepository(engine), guests=2)
    poisoned = seeded.guests[0].id
    with engine.begin() as conn:  # what version 1 stored for a \ud800 in a name
        conn.execute(
            update(db.guests)
            .where(db.guests.c.id == poisoned)
            .values(fields='{"firstName": "\\ud800Eve", "party": "\\ud83c\\udf89"}')
        )
        conn.execute(update(db.meta).values(value="1"))
    engine.dispose()
    engine = make_engine(url)
    create_schema(engine)  # as the server does when it starts
    with running_server(engine) as server:
        server.event_id, server.stations, server.guests = (
            seeded.event_id,
            seeded.stations,
            seeded.guests,
        )
        with server.client() as client:
            guests = {g.id: g for g in client.guests_all().guests}
    assert guests[poisoned].fields == {"firstName": "\ufffdEve", "party": "🎉"}
    assert guests[seeded.guests[1].id].fields["firstName"] == "Gäst1"


def test_a_client_hanging_up_mid_body_logs_no_error(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with caplog.at_level(logging.INFO):
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
                b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ev'
            )
        give_up = time.monotonic() + 5
        while time.monotonic() < give_up and not any(
            "client left" in r.getMessage() or r.levelno >= logging.ERROR for r in caplog.records
        ):
            time.sleep(0.05)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert kiosk_reads_the_list(server) == len(server.guests)


def test_an_unexpected_failure_is_one_envelope_and_one_log_record(
    server: RunningServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(server.repository, "logout", broken)
    with caplog.at_level(logging.ERROR):
        answer = httpx.post(server.url + "/api/v1/logout", json={"sessionToken": "x"})
    assert (answer.status_code, error_code(answer)) == (500, 0)
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1
    assert records[0].exc_info is not None
