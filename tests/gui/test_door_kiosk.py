"""The window shows a failing worker: a real store that cannot grow under a real
sync, the status bar saying so (not "Online"), and clearing once space is free."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from doorcheck.domain.verdict import VerdictKind
from doorcheck.paths import store_path
from tests.support import RunningServer, fresh_engine, populate, running_server, settled
from tests.support.disk import full_disk, more_guests
from tests.support.kiosk import logged_in_door, open_kiosk


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(fresh_engine("sqlite", tmp_path)) as running:
        yield populate(running)


def test_the_status_bar_says_sync_is_failing_and_clears_after(
    server: RunningServer, qtbot: QtBot, tmp_path: Path
) -> None:
    # No sync yet: the first one must write the list.
    data, reel = logged_in_door(server, tmp_path, sync=False)
    limit = ExitStack()
    limit.enter_context(full_disk(store_path(data, server.event_id, "Main Entrance")))
    try:
        with open_kiosk(qtbot, data, str(reel), interval=0.05) as kiosk:
            bar = kiosk.window.status
            qtbot.waitUntil(lambda: not bar.failing.isHidden(), timeout=30_000)
            assert "Sync failing: The laptop's disk is full" in bar.failing.text()
            assert "Online" not in bar.online.text()
            assert kiosk.sync_worker.running
            # Space again: connections opened from now on may let the file grow.
            kiosk.sync_worker.backoff.base = 0.01
            limit.close()
            kiosk.store.db.engine.dispose()
            qtbot.waitUntil(lambda: bar.failing.isHidden(), timeout=60_000)
            qtbot.waitUntil(lambda: "Online" in bar.online.text(), timeout=30_000)
            assert kiosk.store.status().guests == len(server.guests)
    finally:
        limit.close()


def test_the_window_answers_red_when_the_disk_is_full(
    server: RunningServer, qtbot: QtBot, tmp_path: Path
) -> None:
    codes = more_guests(server, 400, "MANY")
    data, reel = logged_in_door(server, tmp_path)
    with (
        full_disk(store_path(data, server.event_id, "Main Entrance")),
        open_kiosk(qtbot, data, str(reel)) as kiosk,
    ):
        verdict = kiosk.window.scan.verdict
        refused = None
        for code in codes:
            outcome = kiosk.scan(code, "scanner")
            if outcome.verdict.kind == VerdictKind.NOT_RECORDED:
                refused = code
                break
            assert outcome.verdict.kind == VerdictKind.ADMIT
        assert refused is not None, "the store never filled up"
        assert (verdict.title.text(), verdict.symbol.text()) == ("Not recorded", "\u2716")
        assert "disk is full" in verdict.detail.text()
        view = kiosk.store.guest_by_code(refused)
        assert view is not None and not view.guest.is_checked_in
        # Taking back the last admit needs a write too: refused the same way, in red.
        before = kiosk.store.status().pending
        kiosk.window.scan.undo_requested.emit()
        assert verdict.title.text() == "Not recorded"
        assert kiosk.store.status().pending == before
        # A companion typed in at the Guests tab: red on the door screen, nothing kept.
        verdict.show_ready()
        search = kiosk.window.search
        assert search is not None
        parent = server.guests[0].id
        search.add_companion_to(parent, {"firstName": "Ida", "lastName": "Late"}, True)
        settled(qtbot, search)
        assert verdict.title.text() == "Not recorded"
        assert kiosk.store.status().pending == before
        parent_view = kiosk.store.guest_by_id(parent)
        assert parent_view is not None and not parent_view.companions
