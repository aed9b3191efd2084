"""The forwards table: profiles waiting for a destination such as Event Cadence."""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE forwards (
        id INTEGER NOT NULL, destination VARCHAR NOT NULL, guest_id VARCHAR NOT NULL,
        source_seq INTEGER NOT NULL, payload VARCHAR NOT NULL, state VARCHAR NOT NULL,
        attempts INTEGER NOT NULL, last_error VARCHAR, created VARCHAR NOT NULL,
        answered VARCHAR, PRIMARY KEY (id))"""
    )
    op.execute("CREATE INDEX ix_forwards_state ON forwards (state)")


def downgrade() -> None:
    op.execute("DROP TABLE forwards")
