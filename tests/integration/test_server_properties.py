"""Whatever JSON arrives at any endpoint, the answer is a documented envelope, never a
500, and what the server stored stays readable by the kiosk (issue 12, section E)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorcheck.protocol.liststream import WireGuest, read_guest_list
from doorcheck.protocol.wire import ChangeResult, guest_from_json
from tests.support import fresh_engine, populate, running_server

ENDPOINTS = {
    "/api/v1/login": ["eventId", "apiKey", "stationName", "deviceId"],
    "/api/v1/logout": ["sessionToken"],
    "/api/v1/guest/list/all": ["sessionToken"],
    "/api/v1/guest/list/recent": ["sessionToken", "sinceDateTime"],
    "/api/v1/guest/changes": ["sessionToken", "changes"],
}
# docs/protocol.md, "Errors": every code the reference server answers, with its statuses.
DOCUMENTED = {
    10: {400, 408, 415},
    20: {400},
    30: {401},
    40: {413},
    50: {404, 405},
    1000: {404},
    1010: {401},
    1020: {403},
    1030: {429},
    1040: {429},
}
REJECT_CODES = {2000, 2010, 2020, 2030, 2040, 2050, 2060, 2070, 2080}

NOW = datetime.now(UTC)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "checkIn", "checkOut", "undo", "addCompanion", "\x00", "🎟️"]),
)
door_times = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            NOW.isoformat(),
            (NOW - timedelta(hours=3)).isoformat(),
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00Z",
        ]
    ),
    texts,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)
    ),
    max_leaves=12,
)


def change_items(guest_ids: list[str]) -> st.SearchStrategy[Any]:
    item = st.fixed_dictionaries(
        {
            "nonce": st.one_of(st.uuids().map(str), texts, st.sampled_from(["n1", "n2"])),
            "action": st.one_of(
                st.sampled_from(["checkIn", "checkOut", "undo", "addCompanion"]), json_values
            ),
            "guestId": st.one_of(st.sampled_from(guest_ids), st.uuids().map(str), json_values),
            "clientUpdateDateTime": door_times,
        },
        optional={
            "targetNonce": st.one_of(st.sampled_from(["n1", "n2"]), json_values),
            "parentId": st.one_of(st.sampled_from(guest_ids), json_values),
            "fields": json_values,
        },
    )
    return st.one_of(item, json_values)


# A raw body: sometimes JSON text with what Python's encoder cannot write.
RAW_POISON = [
    '{"sessionToken": "\\ud800"}',
    '{"changes": [' + "[" * 5000 + "]" * 5000 + "]}",
    '{"eventId": ' + "9" * 5000 + "}",
    '{"sinceDateTime": NaN}',
]


def test_every_endpoint_answers_any_json_with_a_documented_envelope(tmp_path: Path) -> None:
    with running_server(fresh_engine("sqlite", tmp_path)) as server:
        populate(server, guests=5)
        guest_ids = [g.id for g in server.guests]
        token = server.repository.login(server.event_id, "cloak-code-3", "Cloakroom")[
            "sessionToken"
        ]
        with httpx.Client(base_url=server.url, timeout=60) as http:
            bodies = st.one_of(
                json_values,
                st.sampled_from(RAW_POISON),
                st.fixed_dictionaries(
                    {
                        "sessionToken": st.one_of(st.just(token), json_values),
                        "changes": st.lists(change_items(guest_ids), max_size=5),
                    }
                ),
                st.fixed_dictionaries(
                    {
                        "sessionToken": st.one_of(st.just(token), json_values),
                        "sinceDateTime": door_times,
                    }
                ),
            )

            @settings(
                max_examples=150,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(path=st.sampled_from(sorted(ENDPOINTS)), body=bodies, extra=json_values)
            def answer_is_documented(path: str, body: Any, extra: Any) -> None:
                if isinstance(body, dict) and path == "/api/v1/logout":
                    body = {"sessionToken": extra}  # the shared session must live on
                elif isinstance(body, dict):
                    body = dict(body) | {"extra": extra}
                    for key in ENDPOINTS[path]:
                        body.setdefault(key, extra)
                content = body if isinstance(body, str) else json.dumps(body)
                answer = http.post(
                    path, content=content, headers={"content-type": "application/json"}
                )
                assert answer.status_code != 500, answer.text
                data = answer.json()
                assert isinstance(data, dict)
                if data["status"] == "error":
                    code = data["errors"][0]["code"]
                    assert code in DOCUMENTED, data
                    assert answer.status_code in DOCUMENTED[code], (answer.status_code, data)
                    assert isinstance(data["errors"][0]["message"], str)
                    return
                assert data["status"] == "success"
                assert answer.status_code == 200
                for result in data.get("results", []):
                    parsed = ChangeResult.from_json(result)
                    if parsed.result.value == "rejected":
                        assert parsed.code in REJECT_CODES

            answer_is_documented()

            # What the server stored is still read by the kiosk's own parser.
            for path, body in (
                ("/api/v1/guest/list/all", {"sessionToken": token}),
                (
                    "/api/v1/guest/list/recent",
                    {"sessionToken": token, "sinceDateTime": "2000-01-01T00:00:00+00:00"},
                ),
            ):
                answer = http.post(path, json=body)
                assert answer.status_code == 200
                read: list[WireGuest] = []
                envelope = read_guest_list(iter([answer.content]), read.extend)
                assert envelope["status"] == "success"
                assert len(read) >= len(guest_ids)
                for obj, raw in read:
                    raw.encode("utf-8")  # strict: no lone surrogate anywhere
                    guest_from_json(obj)
