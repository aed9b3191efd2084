"""A covering index for the counts of status and statistics (docs/performance.md).

The window's store watcher counts guests, who is inside, arrivals per 5 minutes and
per station every two seconds. Without an index those counts read the whole guests
table, whose rows carry each guest's JSON: every page, decrypted again on an
encrypted door. This index holds every column they filter, group and count by, so
SQLite answers them from it and never reads the table.

``check_in`` comes first: the arrived guests are a range of it. ``delete_time``
comes last, not first: SQLite has no statistics here, and as the first column
``delete_time IS NULL`` looks like a selective search, so the lookup of the waiting
guests (``id IN (subquery) AND delete_time IS NULL``) walked every live guest
through this index instead of finding them by id.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_guests_presence",
        "guests",
        ["check_in", "check_out", "check_in_station", "check_out_station", "delete_time"],
    )


def downgrade() -> None:
    op.drop_index("ix_guests_presence", table_name="guests")
