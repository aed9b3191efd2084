"""The guest as the station protocol describes it, independent of any wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

FieldValue = str | list[str] | None


class RegistrationState(StrEnum):
    UNKNOWN = "unknown"
    REGISTERED = "registered"
    DEREGISTERED = "deregistered"

    @classmethod
    def parse(cls, value: object) -> RegistrationState:
        """Unknown or missing values read as ``unknown``, the protocol's own default."""
        try:
            return cls(str(value).lower())
        except ValueError:
            return cls.UNKNOWN


@dataclass(slots=True)
class Guest:
    """One guest or companion of an event.

    ``extra`` holds every key of the wire object this version does not know, so a
    guest read and written again loses nothing (the protocol may grow fields).
    ``check_in_station`` and ``check_out_station`` are doorcheck's extension fields
    (see docs/protocol.md); a plain Invitario server does not send them.
    """

    id: str
    access_code: str | None = None
    parent_id: str | None = None
    client_update: datetime | None = None
    server_update: datetime | None = None
    check_in: datetime | None = None
    check_out: datetime | None = None
    delete_time: datetime | None = None
    registration_state: RegistrationState = RegistrationState.UNKNOWN
    highlight_color: str | None = None
    fields: dict[str, FieldValue] = field(default_factory=dict)
    companion_ids: list[str] = field(default_factory=list)
    check_in_station: str | None = None
    check_out_station: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_deleted(self) -> bool:
        return self.delete_time is not None

    @property
    def is_checked_in(self) -> bool:
        """Inside now: checked in and not checked out since."""
        if self.check_in is None:
            return False
        return self.check_out is None or self.check_out < self.check_in

    @property
    def display_name(self) -> str:
        parts = [self.fields.get(key) for key in ("titlePrefix", "firstName", "lastName")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
        return name or (self.access_code or "Guest")

    def field_text(self, key: str) -> str:
        """A field as one line of text, lists joined, for display and search."""
        value = self.fields.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)
