"""A full disk under a real store, and more guests on a running server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from doorcheck.server.repository import GuestInput
from tests.support import RunningServer


@contextmanager
def full_disk(path: Path) -> Iterator[None]:
    """Every connection to the store file at ``path`` opened from now on (in this
    process) finds the file unable to grow beyond its size at that moment."""
    target = str(path.resolve())

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        files = [row[2] for row in dbapi_connection.execute("PRAGMA database_list")]
        if target in files:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)


def more_guests(server: RunningServer, count: int, prefix: str) -> list[str]:
    codes = [f"{prefix}{i:04d}" for i in range(count)]
    server.repository.add_guests(
        server.event_id,
        [GuestInput(fields={"firstName": "Extra", "lastName": str(i)}, access_code=code)
         for i, code in enumerate(codes)],
    )  # fmt: skip
    return codes
