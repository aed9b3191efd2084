"""The FTS5 index over guests' folded search text, and the first-load switch.

A store's first full sync loads up to 100,000 guests into empty tables. Indexes
built once at the end cost a third less than indexes kept up row by row, so the
first load pauses the search index and the three secondary indexes, and ``resume``
builds them. If the process dies in between, the store resumes at its next open.
"""

from __future__ import annotations

from sqlalchemy import Connection

CREATE_INDEX = """CREATE VIRTUAL TABLE IF NOT EXISTS guest_search USING fts5(
    search_text, content='guests', content_rowid='rownum',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"""

INSERT_TRIGGER = """CREATE TRIGGER IF NOT EXISTS guests_search_insert AFTER INSERT ON guests
BEGIN
    INSERT INTO guest_search(rowid, search_text) VALUES (new.rownum, new.search_text);
END"""

OTHER_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS guests_search_delete AFTER DELETE ON guests BEGIN
        INSERT INTO guest_search(guest_search, rowid, search_text)
        VALUES ('delete', old.rownum, old.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS guests_search_update AFTER UPDATE OF search_text ON guests
    WHEN old.search_text IS NOT new.search_text BEGIN
        INSERT INTO guest_search(guest_search, rowid, search_text)
        VALUES ('delete', old.rownum, old.search_text);
        INSERT INTO guest_search(rowid, search_text) VALUES (new.rownum, new.search_text);
    END""",
]


def create(conn: Connection) -> None:
    conn.exec_driver_sql(CREATE_INDEX)
    for statement in (INSERT_TRIGGER, *OTHER_TRIGGERS):
        conn.exec_driver_sql(statement)


SECONDARY_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_guests_access_code ON guests (access_code)",
    "CREATE INDEX IF NOT EXISTS ix_guests_parent_id ON guests (parent_id)",
    # The counts' covering index (schema.PRESENCE_INDEX, migration 0008).
    "CREATE INDEX IF NOT EXISTS ix_guests_presence"
    " ON guests (check_in, check_out, check_in_station, check_out_station, delete_time)",
]


def pause_for_bulk_load(conn: Connection) -> None:
    """Loading an empty store: index at the end (``resume`` rebuilds it whole).

    Every trigger goes, not only the insert's: a list that names a guest twice
    updates a row the index never saw, and the update trigger's 'delete' of it
    would corrupt the FTS5 index ("database disk image is malformed").
    """
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS guests_search_insert")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS guests_search_delete")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS guests_search_update")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_guests_access_code")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_guests_parent_id")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_guests_presence")


def resume(conn: Connection) -> None:
    for statement in SECONDARY_INDEXES:
        conn.exec_driver_sql(statement)
    for statement in (INSERT_TRIGGER, *OTHER_TRIGGERS):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("INSERT INTO guest_search(guest_search) VALUES ('rebuild')")
