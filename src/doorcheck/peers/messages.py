"""What doors say to each other, and the bounds every message is held to.

A message is one JSON object in a frame: four bytes of length (big-endian), then
the UTF-8 JSON. Everything from another door is checked here before it reaches the
store: a frame's size, the message's type and keys, every change's fields and their
lengths. A door that sends something else is told nothing; the connection is closed
and the reason logged (``PeerMessageError``), and the other doors go on.

Messages (each has ``"type"``):

- ``hello``: the first message each way: ``door`` (its id, which must match its
  certificate), ``station``, ``event``, ``clock`` (its hybrid-clock stamp now, as
  door time), ``vector`` (what it holds of each origin), ``version`` (1), and
  ``zone``: the zone set at that door for its station (``{"zone", "capacity"}``,
  or null; docs/occupancy.md). A zone that does not pass its checks is ignored: it
  is staff's typing, not an attack, and the door counts that station under no zone.
- ``changes``: ``changes``, a list of changes of the log (at most 1,000), sent after
  hello for everything the other lacks, and at once for each new one.
- ``want``: ``vector``: "send me what you hold beyond this" (after a gap).
- ``tick``: ``clock`` and ``vector``, every 2 s: the door is alive and what it holds.
- ``list``: ``after``: a door without a guest list asks a door of the same station
  that has one (its hello said ``"list": true``) for the stored guests after a
  position; answered by
- ``guests``: ``guests`` (the server's guest objects as text, at most 2,000 and
  2 MiB), ``next`` (the position to ask after, or null at the end), ``cursor``,
  ``event`` and ``mode``: the server's cursor and what it said of the event and
  station, so the new door then syncs from the server as any other.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from doorcheck.domain.changes import Action
from doorcheck.domain.occupancy import DoorZone, PlanError
from doorcheck.domain.replication import LoggedChange
from doorcheck.domain.timeutil import format_datetime, parse_datetime
from doorcheck.protocol.liststream import MAX_GUEST_CHARS

PROTOCOL_VERSION = 1
MAX_FRAME = 4 << 20  # 1,000 changes with companions' fields fit many times over
MAX_CHANGES = 1000
MAX_ORIGINS = 1000  # doors ever in one event's mesh, far above any venue's
MAX_TEXT = 200
MAX_FIELDS = 50
MAX_FIELD_TEXT = 1000
_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
_DOOR_ID = re.compile(r"[0-9a-f]{32}")
# A text from another door that is shown or logged: no control characters.
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f-\x9f]+")
TYPES = frozenset({"hello", "changes", "want", "tick", "list", "guests"})
MAX_PAGE_GUESTS = 2000
MAX_PAGE_BYTES = 2 << 20
MAX_EVENT_TEXT = 64 << 10
MODES = frozenset({"checkIn", "checkOut", "toggle"})


class PeerMessageError(ValueError):
    """A message from another door that is not one (too large, not JSON, a wrong key,
    a change that does not hold together)."""


async def read_message(reader: asyncio.StreamReader) -> dict[str, Any]:
    header = await reader.readexactly(4)
    size = int.from_bytes(header, "big")
    if size > MAX_FRAME:
        raise PeerMessageError(f"a frame of {size} bytes (at most {MAX_FRAME})")
    body = await reader.readexactly(size)
    try:
        message = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PeerMessageError("a frame that is not JSON") from exc
    if not isinstance(message, dict):
        raise PeerMessageError("a message that is not an object")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        raise PeerMessageError("a message of no known type")
    return message


def frame(message: Mapping[str, object]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    if len(body) > MAX_FRAME:
        raise ValueError("a message too large to send; send fewer changes at once")
    return len(body).to_bytes(4, "big") + body


def _no_constant(name: str) -> None:
    raise PeerMessageError(f"{name} in a message")


# -- fields --------------------------------------------------------------------------


def text_of(message: Mapping[str, Any], key: str, *, limit: int = MAX_TEXT) -> str:
    value = message.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise PeerMessageError(f"{key!r} must be a text of 1 to {limit} characters")
    return value


def optional_text(message: Mapping[str, Any], key: str) -> str | None:
    if message.get(key) is None:
        return None
    return printable_of(message, key)


def printable_of(message: Mapping[str, Any], key: str, *, limit: int = MAX_TEXT) -> str:
    value = text_of(message, key, limit=limit)
    if not _PRINTABLE.fullmatch(value):
        raise PeerMessageError(f"{key!r} holds control characters")
    return value


def count_of(message: Mapping[str, Any], key: str) -> int:
    value = message.get(key)
    if type(value) is not int or not 0 <= value < 2**53:
        raise PeerMessageError(f"{key!r} must be a whole number")
    return value


def time_of(message: Mapping[str, Any], key: str) -> datetime:
    text = text_of(message, key, limit=40)
    # Doors send ISO 8601 with an offset; one without is not a door's.
    if not _OFFSET.search(text):
        raise PeerMessageError(f"{key!r} must be a date-time with an offset")
    value = parse_datetime(text)
    if value is None:
        raise PeerMessageError(f"{key!r} must be a date-time with an offset")
    return value


def door_id_of(message: Mapping[str, Any], key: str) -> str:
    """A door id: 32 hexadecimal digits, as every door makes them (so a peer cannot
    put line breaks or other text into this door's log through one)."""
    value = message.get(key)
    if not isinstance(value, str) or not _DOOR_ID.fullmatch(value):
        raise PeerMessageError(f"{key!r} must be a door id (32 hexadecimal digits)")
    return value


def vector_of(message: Mapping[str, Any]) -> dict[str, int]:
    value = message.get("vector")
    if not isinstance(value, dict) or len(value) > MAX_ORIGINS:
        raise PeerMessageError("'vector' must be an object of at most 1,000 doors")
    vector: dict[str, int] = {}
    for origin, top in value.items():
        if not _DOOR_ID.fullmatch(origin) or type(top) is not int or not 0 <= top < 2**53:
            raise PeerMessageError("'vector' holds something that is not a door and a count")
        vector[origin] = top
    return vector


# -- changes -------------------------------------------------------------------------


def change_to_json(change: LoggedChange) -> dict[str, object]:
    obj: dict[str, object] = {
        "origin": change.origin,
        "seq": change.seq,
        "nonce": change.nonce,
        "guestId": change.guest_id,
        "action": change.action.value,
        "doorTime": format_datetime(change.door_time),
        "station": change.station,
    }
    if change.target_nonce is not None:
        obj["targetNonce"] = change.target_nonce
    if change.parent_id is not None:
        obj["parentId"] = change.parent_id
    if change.fields is not None:
        obj["fields"] = change.fields
    return obj


def change_from_json(obj: object) -> LoggedChange:
    if not isinstance(obj, dict):
        raise PeerMessageError("a change that is not an object")
    try:
        action = Action(str(obj.get("action")))
    except ValueError as exc:
        raise PeerMessageError("a change of no known action") from exc
    change = LoggedChange(
        origin=door_id_of(obj, "origin"),
        seq=count_of(obj, "seq"),
        nonce=printable_of(obj, "nonce", limit=100),
        guest_id=printable_of(obj, "guestId"),
        action=action,
        door_time=time_of(obj, "doorTime"),
        station=printable_of(obj, "station"),
        target_nonce=optional_text(obj, "targetNonce"),
        parent_id=optional_text(obj, "parentId"),
        fields=_fields(obj.get("fields")),
    )
    if change.seq < 1:
        raise PeerMessageError("a change numbered below 1")
    if (change.action == Action.UNDO) != (change.target_nonce is not None):
        raise PeerMessageError("an undo names its target; nothing else does")
    if (change.action == Action.ADD_COMPANION) != (change.parent_id is not None):
        raise PeerMessageError("an added companion names its main guest; nothing else does")
    return change


def _fields(value: object) -> dict[str, str | list[str] | None] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > MAX_FIELDS:
        raise PeerMessageError("'fields' must be an object of at most 50 fields")
    fields: dict[str, str | list[str] | None] = {}
    for key, item in value.items():
        if not 0 < len(key) <= 100:
            raise PeerMessageError("a field's name is too long")
        if item is None or (isinstance(item, str) and len(item) <= MAX_FIELD_TEXT):
            fields[key] = item
        elif (
            isinstance(item, list)
            and len(item) <= MAX_FIELDS
            and all(isinstance(i, str) and len(i) <= MAX_FIELD_TEXT for i in item)
        ):
            fields[key] = list(item)
        else:
            raise PeerMessageError(f"field {key!r} is neither a text nor a list of texts")
    return fields


def changes_of(message: Mapping[str, Any]) -> list[LoggedChange]:
    items = message.get("changes")
    if not isinstance(items, list) or len(items) > MAX_CHANGES:
        raise PeerMessageError("'changes' must be a list of at most 1,000 changes")
    return [change_from_json(item) for item in items]


# -- a guest list, page by page --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GuestPage:
    guests: list[tuple[Any, str]]  # parsed, and the text as the server sent it
    next: int | None
    cursor: str
    event: str
    mode: str


def page_of(message: Mapping[str, Any]) -> GuestPage:
    items = message.get("guests")
    if not isinstance(items, list) or len(items) > MAX_PAGE_GUESTS:
        raise PeerMessageError("'guests' must be a list of at most 2,000 guests")
    guests: list[tuple[Any, str]] = []
    for text in items:
        if not isinstance(text, str) or len(text) > MAX_GUEST_CHARS:
            raise PeerMessageError("a guest that is not a text of at most 1 MiB")
        try:
            guests.append((json.loads(text, parse_constant=_no_constant), text))
        except (ValueError, RecursionError) as exc:
            raise PeerMessageError("a guest that is not JSON") from exc
    following = message.get("next")
    if following is not None and (type(following) is not int or not 0 < following < 2**53):
        raise PeerMessageError("'next' must be a position or null")
    event = text_of(message, "event", limit=MAX_EVENT_TEXT)
    try:
        parsed = json.loads(event, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise PeerMessageError("'event' is not JSON") from exc
    if not isinstance(parsed, dict):
        raise PeerMessageError("'event' is not an object")
    mode = text_of(message, "mode")
    if mode not in MODES:
        raise PeerMessageError("'mode' is not a station mode")
    return GuestPage(guests, following, text_of(message, "cursor"), event, mode)


def zone_of(message: Mapping[str, Any]) -> DoorZone | None:
    """The zone a door's hello says it is in, checked; None if none or unusable."""
    value = message.get("zone")
    if value is None:
        return None
    try:
        return DoorZone.from_json(value)
    except PlanError:
        return None
