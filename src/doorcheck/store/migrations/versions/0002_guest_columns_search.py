"""Guests get their documented fields as columns, a folded search text with an FTS5
index, and a generation for full syncs; the outbox records answers; settings."""

from __future__ import annotations

import json

from alembic import op

from doorcheck.store import search_index
from doorcheck.store.rows import COLUMNS, row_from_wire

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GUESTS = """CREATE TABLE guests (
    rownum INTEGER NOT NULL, id VARCHAR NOT NULL, parent_id VARCHAR, access_code VARCHAR,
    registration_state VARCHAR NOT NULL, first_name VARCHAR, last_name VARCHAR,
    company VARCHAR, email VARCHAR, highlight_color VARCHAR, check_in VARCHAR,
    check_in_station VARCHAR, check_out VARCHAR, check_out_station VARCHAR,
    delete_time VARCHAR, server_update VARCHAR, client_update VARCHAR,
    search_text VARCHAR NOT NULL, generation INTEGER NOT NULL, raw VARCHAR NOT NULL,
    PRIMARY KEY (rownum), UNIQUE (id))"""


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("ALTER TABLE guests RENAME TO guests_0001")
    op.execute("DROP INDEX IF EXISTS ix_guests_access_code")
    op.execute("DROP INDEX IF EXISTS ix_guests_parent_id")
    op.execute(GUESTS)
    op.execute("CREATE INDEX ix_guests_access_code ON guests (access_code)")
    op.execute("CREATE INDEX ix_guests_parent_id ON guests (parent_id)")
    search_index.create(bind)
    placeholders = ", ".join("?" for _ in COLUMNS)
    insert = f"INSERT INTO guests ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    docs = [doc for (doc,) in bind.exec_driver_sql("SELECT doc FROM guests_0001")]
    for start in range(0, len(docs), 2000):
        rows = [row_from_wire(json.loads(doc)) for doc in docs[start : start + 2000]]
        bind.exec_driver_sql(insert, rows)
    op.execute("DROP TABLE guests_0001")

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(_column("code", "INTEGER"))
        batch.add_column(_column("created", "VARCHAR", server_default=""))
        batch.add_column(_column("answered", "VARCHAR"))
    with op.batch_alter_table("scans") as batch:
        batch.add_column(_column("guest_id", "VARCHAR"))
        batch.alter_column("time", type_=_type("VARCHAR"))
    op.execute(
        """CREATE TABLE settings ("key" VARCHAR NOT NULL, value VARCHAR NOT NULL,
        PRIMARY KEY ("key"))"""
    )


def _type(name: str):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return {"INTEGER": sa.Integer(), "VARCHAR": sa.String()}[name]


def _column(name: str, kind: str, server_default: str | None = None):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    nullable = server_default is None
    return sa.Column(name, _type(kind), nullable=nullable, server_default=server_default)
