"""Each other door's zone, as it said in its hello (issue 14, docs/occupancy.md).

A zone set at a door (``doorcheck zone``) reaches the other doors in the hello, so
every door counts who is inside per zone with the same plan; ``peers.zone`` keeps it
(JSON: the zone's name and capacity) for the statistics between meetings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("peers") as batch:
        batch.add_column(sa.Column("zone", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("peers") as batch:
        batch.drop_column("zone")
