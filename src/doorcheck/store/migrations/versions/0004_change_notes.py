"""The outbox keeps the door's own findings as codes with data, not sentences.

A check-in overtaken by an earlier one from another door used to be stored as an
English sentence in ``message`` ("Already checked in earlier (<time> at <station>);
this check-in was not needed."), a column that otherwise holds the server's own
words. It becomes ``note = 'superseded'`` with ``note_data = {"time", "station"}``
(doorcheck.wording words it, in the window's language). The server's messages of
rejections and conflicts stay as they are.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SUPERSEDED = "superseded"  # domain.changes.ChangeNote.SUPERSEDED, as this revision wrote it
# The sentence revisions up to 0003 wrote (store/outbox.py mark_superseded).
OLD_SENTENCE = re.compile(
    r"Already checked in earlier \((?P<time>[^ ]+?)(?: at (?P<station>.+))?\);"
    r" this check-in was not needed\.",
    re.DOTALL,
)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("note", sa.String(), nullable=True))
        batch.add_column(sa.Column("note_data", sa.String(), nullable=True))
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT nonce, message FROM outbox WHERE state = 'conflict' AND message IS NOT NULL"
    ).all()
    for nonce, message in rows:
        found = OLD_SENTENCE.fullmatch(message)
        if found is None:
            continue  # the server's own words for its answer: kept as they are
        data = {"time": found["time"], "station": found["station"]}
        bind.exec_driver_sql(
            "UPDATE outbox SET note = ?, note_data = ?, message = NULL WHERE nonce = ?",
            (SUPERSEDED, json.dumps(data, ensure_ascii=False), nonce),
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT nonce, note_data FROM outbox WHERE note = ?", (SUPERSEDED,)
    ).all()
    for nonce, note_data in rows:
        data = json.loads(note_data or "{}")
        where = f" at {data['station']}" if data.get("station") else ""
        message = (
            f"Already checked in earlier ({data.get('time') or '?'}{where});"
            " this check-in was not needed."
        )
        bind.exec_driver_sql("UPDATE outbox SET message = ? WHERE nonce = ?", (message, nonce))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("note_data")
        batch.drop_column("note")
