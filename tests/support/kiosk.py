"""A kiosk window on a real door, for widget tests (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from doorcheck.app import Kiosk, build_kiosk, start
from doorcheck.services.checkin import CheckInService
from doorcheck.session.door import DoorSession
from doorcheck.store.credentials import load_login
from doorcheck.store.local import LocalStore
from doorcheck.ui.search_panel import GuestDesk
from tests.support import RunningServer


def logged_in_door(
    server: RunningServer, tmp_path: Path, *, sync: bool = True
) -> tuple[Path, Path]:
    """A door's folder logged in to ``server`` as Main Entrance (and synced), and a
    camera reel of an empty background: (data folder, reel)."""
    from doorcheck.cli import main as doorcheck
    from doorcheck.scan import synthetic

    data = tmp_path / "door"
    reel = tmp_path / "reel.avi"
    synthetic.write_video(str(reel), [synthetic.jpeg(synthetic.background(1))] * 3, fps=15)
    login = ["login", "--server", server.url, "--event", server.event_id,
             "--key", "main-code-1", "--station", "Main Entrance", "--data", str(data)]  # fmt: skip
    assert doorcheck(login) == 0
    if sync:
        assert doorcheck(["sync", "--data", str(data)]) == 0
    return data, reel


@contextmanager
def open_kiosk(
    qtbot: QtBot, data: Path, camera: str, interval: float | None = None, *, peers: bool = False
) -> Iterator[Kiosk]:
    """The kiosk of the login saved in ``data``, started, as the composition root
    builds it; stopped afterwards. ``peers``: it joins the event's other doors on the
    LAN, as a real start does (off elsewhere: one mesh node per test is needless)."""
    saved = load_login(data)
    assert saved is not None
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    built = build_kiosk(app, DoorSession.of_login(data, *saved), camera, join_peers=peers)
    if interval is not None:
        built.sync_worker.interval = interval
    qtbot.addWidget(built.window)
    start(built)
    try:
        yield built
    finally:
        app.removeEventFilter(built.keys)
        built.stop()


def desk(store: LocalStore, service: CheckInService) -> GuestDesk:
    """What the composition root gives the guest list, from a real store and service."""
    return GuestDesk(
        search=store.search,
        act=service.act,
        details=store.guest_by_id,
        check_in_party=service.check_in_party,
        add_companion=lambda parent, fields: service.add_companion(parent, fields, check_in=False),
    )


def when_modal(action: Callable[[QDialog], None]) -> None:
    """Run ``action`` on the next modal dialog once it is open (exec() blocks)."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            action(dialog)
        else:
            QTimer.singleShot(20, attempt)

    QTimer.singleShot(0, attempt)
