"""A full disk: a red answer that says so and that nothing was recorded, never an
admit that is not on disk; every command says it in one line; the door carries on
once space is free, and nothing that waited is lost.

The full disk is real SQLite: the store's file may not grow past its size
(``PRAGMA max_page_count``), which raises SQLITE_FULL, "database or disk is full",
as a full disk does, without root tricks, in CI too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from doorcheck.cli import main
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.paths import store_path
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.wording import headline
from tests.support import RunningServer, fresh_engine, full_sync, populate, running_server, wire
from tests.support.disk import full_disk, more_guests


def test_a_scan_on_a_full_disk_is_red_and_records_nothing(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    guests = [wire(f"g{i}", f"C{i}", f"First{i}", "Last") for i in range(400)]
    full_sync(store, guests)
    store.close()
    with full_disk(tmp_path / "door.sqlite3"):
        store = LocalStore.open(tmp_path / "door.sqlite3")
        service = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
        admitted = 0
        refused = None
        for i in range(400):  # each admit fills the file a little more
            outcome = service.scan(f"C{i}")
            if outcome.verdict.kind == VerdictKind.NOT_RECORDED:
                refused = i
                break
            assert outcome.verdict.kind == VerdictKind.ADMIT
            admitted += 1
        assert refused is not None, "the store never filled up"
        assert outcome.nonces == ()
        assert outcome.verdict.guest is None
        said = str(headline(outcome))
        assert "disk is full" in said and "nothing was recorded" in said
        # Nothing of the refused scan is on disk; every earlier admit is.
        assert store.status().pending == admitted
        view = store.guest_by_code(f"C{refused}")
        assert view is not None and not view.guest.is_checked_in
        store.close()
    store = LocalStore.open(tmp_path / "door.sqlite3")
    try:
        again = CheckInService(store, "Main Entrance", Mode.CHECK_IN).scan(f"C{refused}")
        assert again.verdict.kind == VerdictKind.ADMIT
        assert store.status().pending == admitted + 1
    finally:
        store.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(fresh_engine("sqlite", tmp_path)) as running:
        yield populate(running)


def checked_in_on_server(server: RunningServer) -> set[str]:
    return {
        str(g.access_code)
        for g in server.repository.guests_for_tickets(server.event_id)
        if g.check_in is not None
    }


def test_every_command_says_the_disk_is_full_and_carries_on_after(
    server: RunningServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path / "door")]

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, *data])
        out, err = capsys.readouterr()
        return code, out, err

    codes = more_guests(server, 400, "MANY")
    key = server.stations["Main Entrance"].app_code
    login = ["login", "--server", server.url, "--event", server.event_id,
             "--key", key, "--station", "Main Entrance"]  # fmt: skip
    assert run(*login)[0] == 0
    assert run("sync")[0] == 0
    # A check-in waits for the server (its upload failed): it must survive.
    server.faults.next("500")
    waiting = run("checkin", codes[0])
    assert waiting[0] == 0 and "queued" in waiting[1]
    more_guests(server, 300, "LATE")  # the next sync has to write them

    store_file = store_path(tmp_path / "door", server.event_id, "Main Entrance")
    with full_disk(store_file):
        status, out, err = run("sync")
        assert status == 1
        assert err.startswith("doorcheck: the laptop's disk is full: nothing was recorded")
        assert err.count("\n") == 1 and "Traceback" not in err
        assert run("status", "--local")[0] == 0
        admitted: list[str] = []
        refused = None
        for code in codes[1:]:
            status, out, err = run("checkin", code)
            if out.startswith("NOT RECORDED"):
                refused = code
                break
            assert status == 0 and out.startswith("ADMIT"), (out, err)
            admitted.append(code)
        assert refused is not None, "the store never filled up"
        assert status == 1
        assert "disk is full" in out and "nothing was recorded" in out
    # Space again: everything waiting reaches the server, the refused guest is out.
    assert run("sync")[0] == 0
    on_server = checked_in_on_server(server)
    assert {codes[0], *admitted} <= on_server
    assert refused not in on_server
    status, out, _ = run("status", "--local")
    assert "Waiting uploads: 0" in out
    assert run("checkin", refused)[1].startswith("ADMIT")
