"""The first local store schema, as doorcheck 0.1 created it without Alembic.

``IF NOT EXISTS`` throughout: a store written by 0.1 already has these tables and is
adopted as revision 0001 as it is.
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE IF NOT EXISTS guests (
        id VARCHAR NOT NULL, access_code VARCHAR, parent_id VARCHAR,
        deleted BOOLEAN NOT NULL, doc VARCHAR NOT NULL, PRIMARY KEY (id))""",
    "CREATE INDEX IF NOT EXISTS ix_guests_access_code ON guests (access_code)",
    "CREATE INDEX IF NOT EXISTS ix_guests_parent_id ON guests (parent_id)",
    """CREATE TABLE IF NOT EXISTS outbox (
        nonce VARCHAR NOT NULL, seq INTEGER NOT NULL, guest_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL, door_time VARCHAR NOT NULL, station VARCHAR NOT NULL,
        target_nonce VARCHAR, parent_id VARCHAR, fields VARCHAR, state VARCHAR NOT NULL,
        attempts INTEGER NOT NULL, last_error VARCHAR, message VARCHAR, PRIMARY KEY (nonce))""",
    "CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state)",
    "CREATE INDEX IF NOT EXISTS ix_outbox_seq ON outbox (seq)",
    "CREATE INDEX IF NOT EXISTS ix_outbox_guest_id ON outbox (guest_id)",
    """CREATE TABLE IF NOT EXISTS sync_state (
        "key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key"))""",
    """CREATE TABLE IF NOT EXISTS scans (
        id INTEGER NOT NULL, time DATETIME NOT NULL, code VARCHAR NOT NULL,
        source VARCHAR NOT NULL, verdict VARCHAR NOT NULL, PRIMARY KEY (id))""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)
