"""Schema and engine of the reference server (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    column,
    create_engine,
    insert,
    inspect,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.types import TypeDecorator

from doorcheck.sqlite import sqlite_engine

# 1: the first schema. 2: nonces scoped to their event; change-log indexes for the
# incremental fold and the station's rate; the shared login brake.
SCHEMA_VERSION = 2


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as naive UTC, hands them out as aware UTC datetimes.

    Naive UTC everywhere keeps SQLite's text comparison and PostgreSQL's
    ``timestamp`` ordering identical, which the ``recent`` cursor relies on.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("company", Text),
    Column("start", UTCDateTime),
    Column("end", UTCDateTime),
    Column("created", UTCDateTime, nullable=False),
)

stations = Table(
    "stations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("app_code_hash", Text, nullable=False),
    Column("mode", String(16), nullable=False, default="checkIn"),
    Column("segment", Text),
    Column("min_search_length", Integer, nullable=False, default=1),
    Column("max_devices", Integer),
    Column("show_all_guests", Boolean, nullable=False, default=True),
    Column("access_code_pattern", Text),
    UniqueConstraint("event_id", "name", name="uq_station_name"),
)

# An event's mesh secret (doorcheck's login extension, docs/peers.md): made at the
# first login of any of its stations and given to every one, so the doors of one
# event recognise each other on the LAN. A new table: create_all adds it to an older
# database without an upgrade step.
mesh_secrets = Table(
    "mesh_secrets",
    metadata,
    Column("event_id", String(64), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", Text, nullable=False),
)

# An event's zone plan (doorcheck's login extension, docs/occupancy.md): its zones,
# the stations in each and the capacities, as the JSON the login answer gives doors,
# checked by ZonePlan.from_json when set. A new table, as mesh_secrets.
zone_plans = Table(
    "zone_plans",
    metadata,
    Column("event_id", String(64), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("plan", Text, nullable=False),
)

# A station's answer rules (doorcheck's login extension, docs/protocol.md): the
# attention rules and the tag fields, as the JSON the login's configuration carries
# (domain.attention reads it). A new table, as mesh_secrets.
station_answers = Table(
    "station_answers",
    metadata,
    Column("station_id", Integer, ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("rules", Text, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("event_id", String(64), nullable=False),
    Column("station_id", Integer, ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
    Column("station_name", Text, nullable=False),
    Column("device_id", Text),
    Column("created", UTCDateTime, nullable=False),
    Column("last_used", UTCDateTime, nullable=False),
    Index("ix_sessions_station", "station_id", "last_used"),
)

guests = Table(
    "guests",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("event_id", String(64), ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", String(64)),
    Column("access_code", Text),
    Column("registration_state", String(16), nullable=False, default="registered"),
    Column("highlight_color", String(16)),
    Column("fields", Text, nullable=False, default="{}"),
    Column("extra", Text, nullable=False, default="{}"),
    Column("segments", Text, nullable=False, default="[]"),
    Column("client_update", UTCDateTime),
    Column("server_update", UTCDateTime, nullable=False),
    Column("check_in", UTCDateTime),
    Column("check_in_station", Text),
    Column("check_out", UTCDateTime),
    Column("check_out_station", Text),
    Column("delete_time", UTCDateTime),
    Index("ix_guests_event_update", "event_id", "server_update"),
    Index("ix_guests_event_code", "event_id", "access_code"),
    Index("ix_guests_parent", "parent_id"),
)

changes = Table(
    "changes",
    metadata,
    # A nonce is the station's, unique within its event only (docs/protocol.md).
    Column("event_id", String(64), primary_key=True),
    Column("nonce", String(100), primary_key=True),
    Column("guest_id", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("door_time", UTCDateTime, nullable=False),
    Column("station_name", Text, nullable=False),
    Column("target_nonce", String(100)),
    Column("server_time", UTCDateTime, nullable=False),
    # Rejected changes are kept so a resend gets the same answer, but never folded.
    Column("rejected", Boolean, nullable=False, default=False),
    Column("effect", String(16), nullable=False),
    Column("answer", Text, nullable=False),
    Index("ix_changes_guest", "guest_id", "door_time"),
    Index("ix_changes_station", "event_id", "station_name", "server_time"),
)

# Failed logins, per station and per client address, shared by every worker process:
# one row per failure, kept for the brake's window.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_subject", "subject", "at"),
    Index("ix_login_failures_at", "at"),  # expired rows are deleted by age
)

# One row. Every write takes its stamp from here under a row lock, and every list
# answer reads its cursor from here the same way: that serialization is what makes
# the ``dateTime`` cursor lose nothing (docs/protocol.md, "The cursor").
server_clock = Table(
    "server_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last", UTCDateTime, nullable=False),
)


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'station.sqlite3'}"


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return sqlite_engine(url)
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        _upgrade(conn)
    metadata.create_all(engine)
    with engine.begin() as conn:
        if conn.execute(select(server_clock.c.id)).first() is None:
            conn.execute(insert(server_clock).values(id=1, last=datetime(2000, 1, 1, tzinfo=UTC)))
        if conn.execute(select(meta.c.key).where(meta.c.key == "schema_version")).first() is None:
            conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))


def _upgrade(conn: Connection) -> None:
    """Bring an existing database up to SCHEMA_VERSION, in one transaction.

    Written in SQL that SQLite and PostgreSQL both run, so both take the same path.
    """
    if not inspect(conn).has_table("meta"):
        return  # a new database: create_all makes the current schema
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if found is None or int(found) >= SCHEMA_VERSION:
        return
    if int(found) < 2:
        # The change log's key becomes (event_id, nonce): copy it aside without its
        # constraints, drop it (with its indexes), recreate it, and copy it back.
        # Version 1 kept nonces unique across all events, so no two rows collide.
        conn.execute(text("CREATE TABLE changes_v1 AS SELECT * FROM changes"))
        conn.execute(text("DROP TABLE changes"))
        changes.create(conn)
        names = [c.name for c in changes.c]
        old = table("changes_v1", *(column(name) for name in names))
        conn.execute(insert(changes).from_select(names, select(*old.c)))
        conn.execute(text("DROP TABLE changes_v1"))
        if inspect(conn).has_table("guests"):
            _heal_lone_surrogates(conn)
    conn.execute(
        update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _heal_lone_surrogates(conn: Connection) -> None:
    """Version 1 stored guests whose fields held lone surrogates (from ``\\ud800``
    escapes), which no kiosk could read, even once the guest was deleted. Replace each
    with U+FFFD and stamp the guest anew, so every station receives the readable copy."""

    def heal(value: Any) -> Any:
        if isinstance(value, str):
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, list):
            return [heal(item) for item in value]
        if isinstance(value, dict):
            return {heal(key): heal(item) for key, item in value.items()}
        return value

    suspects = or_(
        *(
            column.contains(escape, autoescape=True)
            for column in (guests.c.fields, guests.c.extra)
            for escape in ("\\ud", "\\uD")
        )
    )
    poisoned = []
    for row in conn.execute(select(guests.c.id, guests.c.fields, guests.c.extra).where(suspects)):
        parsed = (json.loads(row.fields), json.loads(row.extra))
        healed = (heal(parsed[0]), heal(parsed[1]))
        if healed != parsed:  # escaped surrogate pairs (emoji) decode fine: left alone
            poisoned.append((row.id, healed))
    if not poisoned:
        return
    last = conn.execute(select(server_clock.c.last).where(server_clock.c.id == 1)).scalar_one()
    stamp = max(datetime.now(UTC), last + timedelta(microseconds=1))
    conn.execute(update(server_clock).where(server_clock.c.id == 1).values(last=stamp))
    for guest_id, (fields, extra) in poisoned:
        conn.execute(
            update(guests)
            .where(guests.c.id == guest_id)
            .values(
                fields=json.dumps(fields, ensure_ascii=False),
                extra=json.dumps(extra, ensure_ascii=False),
                server_update=stamp,
            )
        )
