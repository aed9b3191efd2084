"""Tables of the kiosk's local database (SQLModel)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 1


class GuestRow(SQLModel, table=True):
    """The server's copy of a guest. Local pending changes live in the outbox."""

    __tablename__ = "guests"

    id: str = Field(primary_key=True)
    access_code: str | None = Field(default=None, index=True)
    parent_id: str | None = Field(default=None, index=True)
    deleted: bool = False
    doc: str  # the full guest as JSON (wire form), unknown fields included


class OutboxRow(SQLModel, table=True):
    """A change made at this door; kept after upload as its record."""

    __tablename__ = "outbox"

    nonce: str = Field(primary_key=True)
    seq: int = Field(index=True)  # local order of making
    guest_id: str = Field(index=True)
    action: str
    door_time: str  # ISO 8601 with offset, as sent
    station: str
    target_nonce: str | None = None
    parent_id: str | None = None
    fields: str | None = None
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    last_error: str | None = None
    message: str | None = None


class StateRow(SQLModel, table=True):
    __tablename__ = "sync_state"

    key: str = Field(primary_key=True)
    value: str


class ScanRow(SQLModel, table=True):
    """The scan journal: every scan and what the door answered."""

    __tablename__ = "scans"

    id: int | None = Field(default=None, primary_key=True)
    time: datetime
    code: str
    source: str
    verdict: str
