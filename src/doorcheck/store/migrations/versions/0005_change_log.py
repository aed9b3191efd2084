"""The outbox becomes the door's replicated change log (issue 14, docs/peers.md).

Every change now names the door it was made at (``origin``) and its number among
that door's changes (``origin_seq``): doors of one event exchange the log as a
grow-only set with a version vector per origin. This store's own door gets an id
(``door_id`` in the sync state) that its existing changes take, numbered in the
order they were made. ``peers`` keeps what this door last heard of each other door,
for ``doorcheck status`` and the window.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    found = bind.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'door_id'").scalar()
    door_id = found or uuid.uuid4().hex
    if not found:
        bind.exec_driver_sql(
            "INSERT INTO sync_state (key, value) VALUES ('door_id', ?)", (door_id,)
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("origin", sa.String(), nullable=True))
        batch.add_column(sa.Column("origin_seq", sa.Integer(), nullable=True))
    bind.exec_driver_sql("UPDATE outbox SET origin = ?, origin_seq = seq", (door_id,))
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("origin", existing_type=sa.String(), nullable=False)
        batch.alter_column("origin_seq", existing_type=sa.Integer(), nullable=False)
        batch.create_index("ix_outbox_origin_seq", ["origin", "origin_seq"], unique=True)
    op.create_table(
        "peers",
        sa.Column("door_id", sa.String(), primary_key=True),
        sa.Column("station", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("last_heard", sa.String(), nullable=True),
        sa.Column("clock_offset_ms", sa.Integer(), nullable=True),
        sa.Column("problem", sa.String(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("peers")
    bind = op.get_bind()
    door_id = bind.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'door_id'").scalar()
    # Changes learned from other doors were never this door's to upload.
    bind.exec_driver_sql("DELETE FROM outbox WHERE origin != ?", (door_id,))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_origin_seq")
        batch.drop_column("origin_seq")
        batch.drop_column("origin")
