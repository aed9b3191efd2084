"""Tables of the kiosk's local database (SQLModel), schema revision 0008.

The migrations in ``store/migrations`` create exactly this; a test compares the two.
Date-times are stored as ISO 8601 text in UTC with microseconds
(``2026-11-21T17:31:00.000000+00:00``), so text order is time order.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

SCHEMA_REVISION = "0008"
PRESENCE_INDEX = "ix_guests_presence"


class GuestRow(SQLModel, table=True):
    """The server's copy of a guest; pending local changes live in the outbox."""

    __tablename__ = "guests"
    # What the counts of status and statistics read instead of the table, whose rows
    # carry each guest's JSON (store/reports.py, migration 0008): the arrived guests
    # are a range of check_in; delete_time last, so that it never steers a lookup by
    # id that also asks for live guests into this index (see 0008).
    __table_args__ = (
        Index(
            PRESENCE_INDEX,
            "check_in",
            "check_out",
            "check_in_station",
            "check_out_station",
            "delete_time",
        ),
    )

    # An integer key the FTS index can point at: a TEXT primary key's implicit rowid
    # may be renumbered by VACUUM, which would break the external-content index.
    rownum: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True)
    parent_id: str | None = Field(default=None, index=True)
    access_code: str | None = Field(default=None, index=True)
    registration_state: str = "unknown"
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    email: str | None = None
    highlight_color: str | None = None
    check_in: str | None = None
    check_in_station: str | None = None
    check_out: str | None = None
    check_out_station: str | None = None
    delete_time: str | None = None
    server_update: str | None = None
    client_update: str | None = None
    search_text: str = ""  # folded names, company, email and code (domain.textfold)
    generation: int = 0  # the full sync that last saw this guest
    raw: str  # the guest as the server sent it (JSON), unknown fields included


class OutboxRow(SQLModel, table=True):
    """A change of the event's log: made at this door, or learned from another door
    of the mesh (docs/peers.md). Kept after upload as its record."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_origin_seq", "origin", "origin_seq", unique=True),)

    nonce: str = Field(primary_key=True)
    seq: int = Field(index=True)  # the order changes reached this store in
    # The door the change was made at (``door_id`` in the sync state for this one)
    # and its number among that door's changes: the replicated log's key.
    origin: str
    origin_seq: int
    guest_id: str = Field(index=True)
    action: str
    door_time: str
    station: str
    target_nonce: str | None = None
    parent_id: str | None = None
    fields: str | None = None
    # pending, sent (on its way; resent if no answer came), applied, duplicate,
    # conflict, rejected
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    last_error: str | None = None
    message: str | None = None  # the server's own words for its answer
    code: int | None = None  # the server's reason code of a rejection
    # What the door itself found about the change, as a code (domain.changes.
    # ChangeNote) and its data as JSON; doorcheck.wording words them.
    note: str | None = None
    note_data: str | None = None
    created: str = ""
    answered: str | None = None


class StateRow(SQLModel, table=True):
    """Sync state: cursor, last sync times, measured clock skew."""

    __tablename__ = "sync_state"

    key: str = Field(primary_key=True)
    value: str


class PeerRow(SQLModel, table=True):
    """Another door of the event's mesh, as this door last heard of it."""

    __tablename__ = "peers"

    door_id: str = Field(primary_key=True)
    station: str
    address: str | None = None  # host:port it was last reached at
    last_heard: str | None = None
    clock_offset_ms: int | None = None  # its clock minus this laptop's
    problem: str | None = None  # why it was last refused, as a code
    zone: str | None = None  # the zone it said it is in (JSON: name, capacity)


class SettingRow(SQLModel, table=True):
    __tablename__ = "settings"

    key: str = Field(primary_key=True)
    value: str


class ScanRow(SQLModel, table=True):
    """The scan journal: every scan and what the door answered."""

    __tablename__ = "scans"

    id: int | None = Field(default=None, primary_key=True)
    time: str
    code: str
    source: str
    verdict: str
    guest_id: str | None = None


class ForwardRow(SQLModel, table=True):
    """A guest's profile to push to a destination (Event Cadence), kept until it is
    accepted: the same durable outbox idea as the station's, for another address."""

    __tablename__ = "forwards"

    id: int | None = Field(default=None, primary_key=True)
    destination: str
    guest_id: str
    source_seq: int  # the outbox change that caused it (a check-in, a walk-in)
    payload: str  # the profile as JSON (the key is added when sending, never stored)
    # pending, done, held (cannot be sent as it is: no email)
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    last_error: str | None = None
    created: str = ""
    answered: str | None = None


class BadgePrintRow(SQLModel, table=True):
    """The print log: each badge this door printed or tried to (issue 15). "once"
    asks it, so a second scan, or a restart, never prints a guest's badge again."""

    __tablename__ = "badge_prints"

    id: int | None = Field(default=None, primary_key=True)
    guest_id: str = Field(index=True)
    time: str
    printer: str  # as the system names it, or "PDF: <file name>"
    # printing (claimed, on its way), printed, failed
    result: str
    error: str | None = None  # why it failed, in words (names no guest)
