"""Guests to and from the columns of the local store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from doorcheck.domain.guest import Guest
from doorcheck.domain.textfold import fold
from doorcheck.domain.timeutil import parse_datetime
from doorcheck.protocol.wire import guest_from_json, guest_to_json

# The columns a guest row is written with, in this order.
COLUMNS = (
    "id", "parent_id", "access_code", "registration_state", "first_name", "last_name",
    "company", "email", "highlight_color", "check_in", "check_in_station", "check_out",
    "check_out_station", "delete_time", "server_update", "client_update", "search_text",
    "generation", "raw",
)  # fmt: skip
_STATES = {"registered", "deregistered", "unknown"}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def stored_time(value: datetime | None) -> str | None:
    """UTC with microseconds, so that text order is time order."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _time(value: object) -> str | None:
    if value is None:
        return None
    # Already in stored form (UTC, microseconds), as the reference server sends most
    # times: skip parsing and formatting, which cost a second per full sync.
    if isinstance(value, str) and len(value) == 32 and value.endswith("+00:00"):
        return value
    return stored_time(parse_datetime(value))


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def row_from_wire(
    obj: dict[str, Any], generation: int = 0, raw: str | None = None
) -> tuple[Any, ...]:
    """A guest object as the server sent it, as a row (in ``COLUMNS`` order).

    The bulk path of a full sync: 100,000 of these must take well under a second,
    so it reads the wire object directly rather than building a Guest first, keeps
    ``raw`` (the object's text as received) when there is one, and handles the
    common case (plain strings, absent times) without a function call.
    """
    get = obj.get
    fields = get("fields")
    if type(fields) is not dict:
        fields = {}
    first, last, company, email = (
        value if type(value) is str and value else _text(value)
        for value in (fields.get("firstName"), fields.get("lastName"),
                      fields.get("company"), fields.get("email"))
    )  # fmt: skip
    code = get("accessCode")
    if type(code) is not str or not code:
        code = _text(code)
    state = get("registrationState")
    if state not in _STATES:
        state = str(state or "unknown").lower()
        state = state if state in _STATES else "unknown"
    search = fold(" ".join([p for p in (first, last, company, email, code) if p]))
    times = [
        None if value is None else _time(value)
        for value in (get("checkInDateTime"), get("checkOutDateTime"), get("deleteDateTime"),
                      get("serverUpdateDateTime"), get("clientUpdateDateTime"))
    ]  # fmt: skip
    return (
        str(obj["id"]),
        _text(get("parentId")),
        code,
        state,
        first,
        last,
        company,
        email,
        _text(get("highlightColor")),
        times[0],
        _text(get("checkInStationName")),
        times[1],
        _text(get("checkOutStationName")),
        times[2],
        times[3],
        times[4],
        search,
        generation,
        raw if raw is not None else _dumps(obj),
    )


def guest_values(guest: Guest, *, generation: int = 0) -> dict[str, Any]:
    """A Guest as a row, by name (for single rows; bulk uses row_from_wire)."""
    return dict(zip(COLUMNS, row_from_wire(guest_to_json(guest), generation), strict=True))


def guest_from_raw(raw: str) -> Guest:
    return guest_from_json(json.loads(raw))
