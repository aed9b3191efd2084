"""The FTS5 index over guests' folded search text, and its bulk-load switch."""

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


def pause_for_bulk_load(conn: Connection) -> None:
    """Loading an empty store: index at the end in one pass (three times faster than
    row by row). Only inserts may happen until ``rebuild``."""
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS guests_search_insert")


def rebuild(conn: Connection) -> None:
    conn.exec_driver_sql(INSERT_TRIGGER)
    conn.exec_driver_sql("INSERT INTO guest_search(guest_search) VALUES ('rebuild')")
