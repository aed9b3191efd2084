"""The badge print log (issue 15): which guest's badge this door printed, when, on
which printer, and whether it worked; auto-print "once" asks it before printing."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badge_prints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("guest_id", sa.String(), nullable=False),
        sa.Column("time", sa.String(), nullable=False),
        sa.Column("printer", sa.String(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
    )
    op.create_index("ix_badge_prints_guest_id", "badge_prints", ["guest_id"])


def downgrade() -> None:
    op.drop_index("ix_badge_prints_guest_id", table_name="badge_prints")
    op.drop_table("badge_prints")
