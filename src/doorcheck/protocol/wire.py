"""JSON wire models of the station protocol.

Reading is lenient: unknown keys are kept (``extra``/``raw``), date-times are parsed
with :func:`parse_datetime`, a ``customFieldN`` may be a string or a list. Writing is
strict: known keys in their documented spelling, date-times as ISO 8601 with offset.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import IntEnum, StrEnum
from typing import Any

from doorcheck.domain.changes import Action
from doorcheck.domain.guest import FieldValue, Guest, RegistrationState
from doorcheck.domain.occupancy import ZonePlan
from doorcheck.domain.timeutil import format_datetime, in_zone, parse_datetime
from doorcheck.protocol.errors import BadResponseError
from doorcheck.protocol.liststream import Unreadable, WireGuest
from doorcheck.words import mark

JsonObject = dict[str, Any]

_GUEST_TIME_KEYS = {
    "clientUpdateDateTime": "client_update",
    "serverUpdateDateTime": "server_update",
    "checkInDateTime": "check_in",
    "checkOutDateTime": "check_out",
    "deleteDateTime": "delete_time",
}
_GUEST_KEYS = frozenset(
    {
        "id",
        "parentId",
        "accessCode",
        "registrationState",
        "highlightColor",
        "fields",
        "companions",
        "checkInStationName",
        "checkOutStationName",
        *_GUEST_TIME_KEYS,
    }
)


# \ud800 to \udfff: half of a surrogate pair; alone it cannot be stored.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# A guest id longer than this is not an id (the documented ones are 36-character UUIDs).
MAX_GUEST_ID_LENGTH = 200


def unreadable_reason(obj: object, raw: str) -> str | None:
    """Why a guest object as received cannot be stored and judged, in words that
    hold none of its data; None when it can.

    Whatever passes here reads with :func:`guest_from_json` and stores as a row
    (tests/unit/station/test_bounded.py holds this for arbitrary JSON). A guest with a
    date-time that cannot be read is refused whole rather than read without it:
    a check-in or deletion read as absent would admit someone wrongly.
    """
    # Called for every guest of every list: plain type checks, one lookup each.
    if type(obj) is not dict:
        return obj.reason if isinstance(obj, Unreadable) else "it is not a JSON object"
    get = obj.get
    guest_id = get("id")
    if type(guest_id) is int:
        guest_id = str(guest_id) if guest_id else ""
    if type(guest_id) is not str or not guest_id:
        return "it has no id"
    if len(guest_id) > MAX_GUEST_ID_LENGTH:
        return "its id is too long"
    fields = get("fields")
    if fields and type(fields) is not dict:
        return "its fields are not an object"
    companions = get("companions")
    if companions and type(companions) is not list:
        return "its companions are not a list"
    for key in _GUEST_TIME_KEYS:
        value = get(key)
        if value is not None and value != "" and parse_datetime(value) is None:
            return f"its {key} is not a date-time we can read"
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        return "it holds text that is not valid Unicode"
    if not raw or _SURROGATE_ESCAPE.search(raw):
        # An escaped lone surrogate (\ud800), in the id too, reads into a str SQLite
        # cannot store.
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return "it holds text that is not valid Unicode"
        except (ValueError, TypeError, RecursionError):
            return "it cannot be written back as JSON"
    return None


def guest_id_of(obj: object) -> str | None:
    """A guest object's id for logs and bookkeeping, when it has a usable one (text
    SQLite can store: an id with a lone surrogate has none)."""
    value = obj.guest_id if isinstance(obj, Unreadable) else None
    if isinstance(obj, dict):
        value = obj.get("id")
    if not isinstance(value, str | int) or isinstance(value, bool) or not value:
        return None
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text if len(text) <= MAX_GUEST_ID_LENGTH else None


def in_server_zone(guest: WireGuest, zone: tzinfo) -> WireGuest:
    """The guest with every date-time that has no offset given ``zone``'s (the zone
    of the answer's ``dateTime``: DESIGN.md §2.5), so everything after reads it
    the same; the text is rewritten only when something changed."""
    obj, raw = guest
    if not isinstance(obj, dict):
        return guest
    changed: dict[str, str] | None = None
    for key in _GUEST_TIME_KEYS:
        value = obj.get(key)
        if type(value) is not str or not value or _has_offset(value):
            continue
        written = in_zone(value, zone)
        if written is not None:
            changed = changed or {}
            changed[key] = written
    if changed is None:
        return guest
    obj = {**obj, **changed}
    try:
        return obj, json.dumps(obj, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        return obj, raw


def _has_offset(value: str) -> bool:
    """Cheaply: ends in ``Z`` or ``±hh:mm`` (most values; the rest are parsed)."""
    return value[-1] in "Zz" or (len(value) > 6 and value[-6] in "+-" and value[-3] == ":")


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def _field_value(value: object) -> FieldValue:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    # Numbers and booleans occur in the wild; keep them as text rather than fail.
    return str(value)


def _shape(obj: object) -> str:
    """What an unreadable object looks like, without its values, for a log."""
    if isinstance(obj, dict):
        return "an object with keys " + ", ".join(sorted(str(k)[:40] for k in obj)[:20])
    return f"a {type(obj).__name__}"


def guest_from_json(obj: object) -> Guest:
    """One guest object; raises BadResponseError if it is not an object with an id."""
    if not isinstance(obj, dict) or not obj.get("id"):
        # Its keys and type only: the object may carry names and emails (logged).
        raise BadResponseError(f"guest is not an object with an id: {_shape(obj)}")
    raw_fields = obj.get("fields") or {}
    if not isinstance(raw_fields, dict):
        raise BadResponseError(f"guest {obj['id']}: 'fields' is not an object")
    companions = obj.get("companions") or []
    if not isinstance(companions, list):
        raise BadResponseError(f"guest {obj['id']}: 'companions' is not a list")
    companion_ids = [
        str(c["id"]) if isinstance(c, dict) and "id" in c else str(c) for c in companions
    ]
    extra = {k: v for k, v in obj.items() if k not in _GUEST_KEYS}
    # Keep an unreadable date-time verbatim so writing the guest back loses nothing.
    for key in _GUEST_TIME_KEYS:
        value = obj.get(key)
        if value is not None and parse_datetime(value) is None:
            extra[key] = value
    if any(isinstance(c, dict) and len(c) > 1 for c in companions):
        extra["companions"] = companions
    return Guest(
        id=str(obj["id"]),
        access_code=_opt_str(obj.get("accessCode")),
        parent_id=_opt_str(obj.get("parentId")),
        client_update=parse_datetime(obj.get("clientUpdateDateTime")),
        server_update=parse_datetime(obj.get("serverUpdateDateTime")),
        check_in=parse_datetime(obj.get("checkInDateTime")),
        check_out=parse_datetime(obj.get("checkOutDateTime")),
        delete_time=parse_datetime(obj.get("deleteDateTime")),
        registration_state=RegistrationState.parse(obj.get("registrationState")),
        highlight_color=_opt_str(obj.get("highlightColor")),
        fields={str(k): _field_value(v) for k, v in raw_fields.items()},
        companion_ids=companion_ids,
        check_in_station=_opt_str(obj.get("checkInStationName")),
        check_out_station=_opt_str(obj.get("checkOutStationName")),
        extra=extra,
    )


def _time_or_none(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def guest_to_json(guest: Guest) -> JsonObject:
    """The guest object as documented, plus kept unknown keys and our extension keys."""
    obj: JsonObject = {
        "id": guest.id,
        "parentId": guest.parent_id,
        "accessCode": guest.access_code,
        "clientUpdateDateTime": _time_or_none(guest.client_update),
        "serverUpdateDateTime": _time_or_none(guest.server_update),
        "checkInDateTime": _time_or_none(guest.check_in),
        "checkOutDateTime": _time_or_none(guest.check_out),
        "deleteDateTime": _time_or_none(guest.delete_time),
        "registrationState": guest.registration_state.value,
    }
    if guest.highlight_color is not None:
        obj["highlightColor"] = guest.highlight_color
    obj["fields"] = dict(guest.fields)
    obj["companions"] = [{"id": cid} for cid in guest.companion_ids]
    if guest.check_in_station is not None:
        obj["checkInStationName"] = guest.check_in_station
    if guest.check_out_station is not None:
        obj["checkOutStationName"] = guest.check_out_station
    for key, value in guest.extra.items():
        # Kept keys fill gaps; an unreadable date-time or rich companion list
        # replaces the normalized form that could not represent it.
        replaces = key == "companions" or (key in _GUEST_TIME_KEYS and obj.get(key) is None)
        if replaces or key not in obj:
            obj[key] = value
    return obj


class StationMode(StrEnum):
    CHECK_IN = "checkIn"  # a second scan says "already checked in"
    TOGGLE = "toggle"  # first scan in, second out, third in again
    CHECK_OUT = "checkOut"  # exit door

    @classmethod
    def parse(cls, value: object) -> StationMode:
        try:
            return cls(str(value))
        except ValueError:
            return cls.CHECK_IN


@dataclass(slots=True)
class StationConfiguration:
    """The login's ``configuration`` object.

    Invitario does not document its keys; these are doorcheck's (docs/protocol.md).
    Every key is kept in ``raw`` so a vendor's configuration can be mapped later.
    """

    mode: StationMode = StationMode.CHECK_IN
    segment: str | None = None
    min_search_length: int = 1
    max_devices: int | None = None
    show_all_guests: bool = True
    access_code_pattern: str | None = None
    raw: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> StationConfiguration:
        if not isinstance(obj, dict):
            return cls(raw={})

        def as_int(value: object, default: int | None) -> int | None:
            try:
                return int(value)  # type: ignore[call-overload, no-any-return]
            except (TypeError, ValueError):
                return default

        return cls(
            mode=StationMode.parse(obj.get("mode")),
            segment=_opt_str(obj.get("segment")) or None,
            min_search_length=as_int(obj.get("minSearchLength"), 1) or 1,
            max_devices=as_int(obj.get("maxDevices"), None),
            show_all_guests=bool(obj.get("showAllGuests", True)),
            access_code_pattern=_opt_str(obj.get("accessCodePattern")) or None,
            raw=dict(obj),
        )

    def to_json(self) -> JsonObject:
        obj = dict(self.raw)
        obj.update(
            {
                "mode": self.mode.value,
                "segment": self.segment,
                "minSearchLength": self.min_search_length,
                "maxDevices": self.max_devices,
                "showAllGuests": self.show_all_guests,
                "accessCodePattern": self.access_code_pattern,
            }
        )
        return obj


@dataclass(slots=True)
class EventInfo:
    id: str
    name: str
    company: str | None
    start: datetime | None
    end: datetime | None
    configuration: StationConfiguration
    raw: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> EventInfo:
        if not isinstance(obj, dict) or "id" not in obj:
            raise BadResponseError("login answer has no event object with an id")
        return cls(
            id=str(obj["id"]),
            name=str(obj.get("name") or ""),
            company=_opt_str(obj.get("company")),
            start=parse_datetime(obj.get("startDateTime")),
            end=parse_datetime(obj.get("endDateTime")),
            configuration=StationConfiguration.from_json(obj.get("configuration")),
            raw=dict(obj),
        )


@dataclass(slots=True)
class LoginResult:
    event: EventInfo
    station_name: str
    session_token: str
    # The server's clock at login, from the HTTP Date header, to measure skew.
    server_time: datetime | None = None
    # The event's mesh secret (doorcheck's extension, docs/peers.md), if the server
    # gives one: the doors of the event recognise each other by it on the LAN.
    mesh_secret: str | None = None
    # The event's zones and capacities (doorcheck's extension, docs/occupancy.md);
    # None when the server says nothing of them (or what it said was unusable).
    zone_plan: ZonePlan | None = None


@dataclass(slots=True)
class GuestList:
    count: int
    date_time: str  # the server's cursor, passed back verbatim as sinceDateTime
    guests: list[Guest]

    @property
    def server_time(self) -> datetime | None:
        return parse_datetime(self.date_time)


@dataclass(frozen=True, slots=True)
class OutgoingChange:
    """One change a station records: check-in, check-out, undo or a new companion."""

    nonce: str
    action: Action
    guest_id: str
    door_time: datetime
    target_nonce: str | None = None  # undo: the change to take back
    parent_id: str | None = None  # addCompanion: the main guest
    fields: dict[str, FieldValue] | None = None  # addCompanion: name etc.
    # Where it was made, when that is another station of the event than the one
    # uploading it (a change learned from another door, docs/peers.md).
    station: str | None = None

    def to_json(self) -> JsonObject:
        obj: JsonObject = {
            "nonce": self.nonce,
            "action": self.action.value,
            "guestId": self.guest_id,
            "clientUpdateDateTime": format_datetime(self.door_time),
        }
        if self.target_nonce is not None:
            obj["targetNonce"] = self.target_nonce
        if self.parent_id is not None:
            obj["parentId"] = self.parent_id
        if self.fields is not None:
            obj["fields"] = self.fields
        if self.station is not None:
            obj["station"] = self.station
        return obj


class ChangeOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(slots=True)
class ChangeResult:
    nonce: str
    result: ChangeOutcome
    # For a duplicate: what the first delivery of this nonce was answered.
    first_result: ChangeOutcome | None = None
    code: int | None = None
    message: str | None = None
    guest: Guest | None = None

    @property
    def effective(self) -> ChangeOutcome:
        """The outcome that counts: a duplicate stands for its first answer."""
        if self.result == ChangeOutcome.DUPLICATE and self.first_result is not None:
            return self.first_result
        return self.result

    @classmethod
    def from_json(cls, obj: object) -> ChangeResult:
        if not isinstance(obj, dict) or "nonce" not in obj or "result" not in obj:
            raise BadResponseError(f"change result is malformed: {_shape(obj)}")
        try:
            result = ChangeOutcome(obj["result"])
            first = ChangeOutcome(obj["firstResult"]) if obj.get("firstResult") else None
        except ValueError as exc:
            raise BadResponseError(f"unknown change result: {exc}") from exc
        guest = obj.get("guest")
        if guest and unreadable_reason(guest, "") is not None:
            # The change's answer stands; a copy we cannot read is left out (the
            # change then stays laid over until a readable copy comes).
            guest = None
        code = obj.get("code")
        return cls(
            nonce=str(obj["nonce"]),
            result=result,
            first_result=first,
            code=code if isinstance(code, int) else None,
            message=_opt_str(obj.get("message")),
            guest=guest_from_json(guest) if guest else None,
        )

    def to_json(self) -> JsonObject:
        obj: JsonObject = {"nonce": self.nonce, "result": self.result.value}
        if self.first_result is not None:
            obj["firstResult"] = self.first_result.value
        if self.code is not None:
            obj["code"] = self.code
        if self.message is not None:
            obj["message"] = self.message
        if self.guest is not None:
            obj["guest"] = guest_to_json(self.guest)
        return obj


class RejectReason(IntEnum):
    """Reason codes of a rejected change (doorcheck extension)."""

    UNKNOWN_GUEST = 2000
    GUEST_DELETED = 2010
    GUEST_DEREGISTERED = 2020
    MODE_FORBIDS = 2030
    INVALID_CHANGE = 2040
    UNKNOWN_TARGET = 2050
    DOOR_TIME_OUT_OF_RANGE = 2060  # answered, not stored: resend once the clock is right
    NONCE_REUSED = 2070  # answered, not stored
    TOO_MANY_GUEST_CHANGES = 2080


# Each code's words, in English: the reference server sends them as its message, and
# doorcheck.wording shows them as the door's own words (translated in the window); a
# server's other message is its own text, shown beside these, never instead of them.
REJECT_MESSAGES = {
    RejectReason.UNKNOWN_GUEST: mark("Guest not known to the server."),
    RejectReason.GUEST_DELETED: mark("Guest was deleted from the guest list."),
    RejectReason.GUEST_DEREGISTERED: mark("Guest is deregistered."),
    RejectReason.MODE_FORBIDS: mark("This station's mode does not allow that action."),
    RejectReason.INVALID_CHANGE: mark("The change is malformed."),
    RejectReason.UNKNOWN_TARGET: mark("The change to undo is not known."),
    RejectReason.DOOR_TIME_OUT_OF_RANGE: mark(
        "The time it was made is too far from the event "
        "or the server's clock: check this laptop's clock."
    ),
    RejectReason.NONCE_REUSED: mark(
        "The server already has a different change under this "
        "change's number; this one was not applied."
    ),
    RejectReason.TOO_MANY_GUEST_CHANGES: mark(
        "This guest has had more changes than the server keeps; this one was not applied."
    ),
}
