"""A change the server refuses is explained in the door's words, in the door's
language, with the server's own message beside them (never instead of them)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from doorcheck.domain.changes import Action
from doorcheck.domain.verdict import Mode
from doorcheck.protocol.wire import RejectReason
from doorcheck.services.checkin import CheckInService, laptop_now
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import pull, push_pending
from doorcheck.ui.changes_dialog import ChangesDialog
from doorcheck.ui.i18n import install_language
from doorcheck.wording import rejection_words
from tests.support import RunningServer, settled


def test_known_codes_get_the_doors_words_unknown_ones_the_servers() -> None:
    clock = rejection_words(2060, "The door time 2027-01-08 lies outside ...")
    assert str(clock) == (
        "The time it was made is too far from the event or the server's clock: check this "
        "laptop's clock. (the server says: The door time 2027-01-08 lies outside ...)"
    )
    assert str(rejection_words(2070, None)).startswith("The server already has a different")
    assert str(rejection_words(2080, "")).startswith("This guest has had more changes")
    assert str(rejection_words(9999, "A vendor's own reason.")) == "A vendor's own reason."
    assert rejection_words(None, None) == ""
    assert {int(reason) for reason in RejectReason} == set(range(2000, 2081, 10))


def test_a_change_refused_for_its_time_tells_staff_to_check_the_clock(
    qtbot: QtBot, server: RunningServer, tmp_path: Path
) -> None:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    try:
        client = server.client()
        pull(store, client)
        # A laptop whose clock runs forty days ahead.
        ahead = CheckInService(
            store, "Main Entrance", Mode.CHECK_IN, clock=lambda: laptop_now() + timedelta(days=40)
        )
        ahead.act(server.guests[0].id, Action.CHECK_IN)
        uploaded, _, rejected = push_pending(store, StationChangeWriter(client))
        assert (uploaded, rejected) == (1, 1)
        (change,) = store.changes(("rejected",))
        assert change.code == 2060

        dialog = ChangesDialog(lambda: store.changes(("rejected",)))
        qtbot.addWidget(dialog)
        settled(qtbot, dialog)
        item = dialog.table.item(0, 4)
        assert item is not None
        assert item.text().startswith("The time it was made is too far from the event")
        assert "the server says: The door time" in item.text()  # the server's detail

        app = QApplication.instance()
        assert app is not None
        install_language(app, "de")
        try:
            dialog.refresh()
            settled(qtbot, dialog)
            item = dialog.table.item(0, 4)
            assert item is not None
            assert item.text().startswith("Der Zeitpunkt liegt zu weit")
            assert "Prüfen Sie die Uhr dieses Laptops" in item.text()
        finally:
            install_language(app, "en")
    finally:
        store.close()
