"""What the reference server accepts from outside: bounded JSON, valid text, real dates.

Everything a request carries is checked here before it reaches the database, so the
server never stores what a kiosk could not read back (docs/protocol.md, "Limits").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from doorcheck.domain.timeutil import parse_datetime

# JSON nesting: the deepest real request (changes → item → fields → list) is 4 deep.
MAX_JSON_DEPTH = 16
# Longest number literal: real requests carry no numbers at all; 40 digits is generous.
MAX_NUMBER_LENGTH = 40
# Login's strings (event id, App Code, station name, device id) and session tokens.
MAX_LOGIN_TEXT = 200
MAX_ID_LENGTH = 64
# A guest's fields, as a companion added at the door or an imported guest carries them.
MAX_FIELDS = 100
MAX_FIELD_NAME = 100
MAX_FIELD_TEXT = 2000
MAX_FIELD_LIST = 50
# Access codes, segments, colours of imported guests.
MAX_SHORT_TEXT = 200

# Lone UTF-16 surrogates: JSON's \ud800 escapes decode to them, but they are not
# Unicode scalar values, cannot be encoded as UTF-8, and would poison every reader.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Text that a kiosk shows or stores: no control characters but tab and line breaks.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InputError(ValueError):
    """Input refused; the message says why in a plain sentence, without echoing it."""


def _bounded_number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise InputError(f"a number longer than {MAX_NUMBER_LENGTH} characters")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError("a number out of range")
    return value


def _refuse_constant(name: str) -> float:
    raise InputError(f"{name} is not JSON")


def parse_json(body: bytes) -> Any:
    """Parse a request body, refusing what Python's parser takes but JSON does not.

    Bounds number literals (a 5000-digit integer makes ``int()`` raise), nesting
    (100,000 levels exhaust the stack), NaN/Infinity, and lone surrogates.
    """
    try:
        data = json.loads(
            body,
            parse_int=_bounded_number,
            parse_float=_bounded_number,
            parse_constant=_refuse_constant,
        )
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise InputError("not JSON") from None
    check_tree(data)
    return data


def check_tree(data: Any) -> None:
    """Depth and text of a parsed JSON value, walked without recursion."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise InputError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, str):
            _check_scalars(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_scalars(key)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def _check_scalars(text: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise InputError("text that is not valid Unicode (a lone surrogate)")


def check_text(name: str, value: str, limit: int) -> str:
    """A text the server stores or shows: bounded, valid Unicode, no control codes."""
    if len(value) > limit:
        raise InputError(f"{name} is longer than {limit} characters")
    _check_scalars(value)
    if _CONTROL.search(value):
        raise InputError(f"{name} contains control characters")
    return value


def check_fields(fields: object) -> dict[str, str | list[str] | None]:
    """A guest's fields as the kiosk reads them: text, a list of texts, or null."""
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        raise InputError("fields is not an object")
    if len(fields) > MAX_FIELDS:
        raise InputError(f"more than {MAX_FIELDS} fields")
    checked: dict[str, str | list[str] | None] = {}
    for key, value in fields.items():
        if not isinstance(key, str) or not key.strip():
            raise InputError("a field name is empty")
        check_text("a field name", key, MAX_FIELD_NAME)
        if value is None:
            checked[key] = None
        elif isinstance(value, str):
            checked[key] = check_text(f"field {key!r}", value, MAX_FIELD_TEXT)
        elif isinstance(value, list):
            if len(value) > MAX_FIELD_LIST:
                raise InputError(f"field {key!r} lists more than {MAX_FIELD_LIST} values")
            if not all(isinstance(item, str) for item in value):
                raise InputError(f"field {key!r} lists something other than text")
            checked[key] = [check_text(f"field {key!r}", item, MAX_FIELD_TEXT) for item in value]
        else:
            raise InputError(f"field {key!r} is neither text nor a list of texts")
    return checked


def parse_instant(value: object) -> datetime | None:
    """A protocol date-time as an aware UTC instant, or None if unreadable or if it
    lies outside what a UTC datetime can hold (year 1 at +14:00, year 9999 at -14:00)."""
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None
