"""Date-times as the station protocol writes them, read leniently and written strictly."""

from __future__ import annotations

from datetime import UTC, datetime, timezone, tzinfo


def parse_datetime(value: object, *, assume: tzinfo = UTC) -> datetime | None:
    """Parse a protocol date-time leniently.

    Accepts ISO 8601 with or without offset, with ``T`` or a space between date and
    time (``2018-01-01 18:30:00``), and a trailing ``Z``. A value without an offset is
    taken to be in ``assume`` (UTC unless the caller knows the event's zone). Anything
    unparseable, including the truncated ``"2018-01-..."`` of the public docs, gives
    ``None`` rather than an exception: a date we cannot read must never stop a sync.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=assume)
    try:
        # Near the ends of the calendar (0001-01-01T00:00:00+14:00) the instant has
        # no UTC form; such a value cannot be stored or compared: unreadable.
        parsed.astimezone(UTC)
    except OverflowError:
        return None
    return parsed


def zone_of(value: object) -> tzinfo:
    """The zone a server writes in, from one of its date-times with an offset (its
    answer's ``dateTime``); UTC when that has none or cannot be read."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return UTC
        offset = parsed.utcoffset()
        if offset is not None:
            return timezone(offset)
    return UTC


def in_zone(value: str, zone: tzinfo) -> str | None:
    """``value`` with ``zone``'s offset written in when it has none (else None: it
    needs no change, or cannot be read)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        return None
    try:
        return format_datetime(parsed.replace(tzinfo=zone))
    except OverflowError:
        return None


def format_datetime(value: datetime) -> str:
    """Write a date-time as ISO 8601 with offset (seconds, or microseconds when set)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    spec = "seconds" if value.microsecond == 0 else "microseconds"
    return value.isoformat(timespec=spec)


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
