"""Pairing by QR code in the window (issue 14, docs/peers.md): a door shows its
pairing code as a QR code; a door on a spreadsheet, with no server to give it the
event's secret, scans it and joins; a locked door or a guest's scan never pairs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import zxingcpp
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from doorcheck.cli import main as doorcheck
from doorcheck.domain.verdict import VerdictKind
from doorcheck.peers.trust import Pairing
from doorcheck.session.door import saved_door
from doorcheck.ui.login_dialog import LoginDialog
from doorcheck.ui.pairing_dialog import PairingDialog
from tests.support.kiosk import open_kiosk
from tests.support.peers import Door

GUESTS = "Code,First name,Last name\nT-1,Ann,Lee\nT-2,Ben,Ode\nT-3,Cem,Yil\n"


def spreadsheet_door(tmp_path: Path, name: str) -> Path:
    """A door whose guest list is the same file on its own laptop (no server)."""
    source = tmp_path / name / "guests.csv"
    source.parent.mkdir()
    source.write_text(GUESTS)
    data = tmp_path / name / "door"
    assert doorcheck(["import", str(source), "--data", str(data)]) == 0
    return data


def decoded(image: QImage) -> str:
    """The QR code in ``image``, read as a camera's frame is read."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    (found,) = zxingcpp.read_barcodes(np.ascontiguousarray(pixels[:, : gray.width()]))
    return str(found.text)


def test_a_spreadsheet_door_joins_by_scanning_another_doors_qr_code(
    qtbot: QtBot, tmp_path: Path
) -> None:
    first = Door(spreadsheet_door(tmp_path, "first"), "Door")
    here = spreadsheet_door(tmp_path, "here")
    # The first door of a spreadsheet event makes the mesh secret when it pairs.
    code = subprocess.run(
        [sys.executable, "-m", "doorcheck", "pair", "--at", first.address, "--data",
         str(first.data)], capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        first.watch()
        with open_kiosk(qtbot, here, str(tmp_path / "no-camera"), 3600, peers=True) as kiosk:
            assert kiosk.mesh is None  # no secret: alone
            asked: list[str] = []

            def staff_say_yes(title: str, text: str) -> bool:
                asked.append(text)
                return True

            kiosk.confirm = staff_say_yes
            kiosk.read(code, "camera")
            assert asked and "Only if staff showed it" in asked[0]
            assert kiosk.mesh is not None
            bar = kiosk.window.status
            qtbot.waitUntil(lambda: bar.doors.text() == "Doors nearby: 1", timeout=30_000)
            assert "Paired" in kiosk.window.scan.verdict.detail.text()
            # A guest admitted at the first door is already in here.
            checkin = [
                sys.executable,
                "-m",
                "doorcheck",
                "checkin",
                "T-2",
                "--data",
                str(first.data),
            ]
            subprocess.run(checkin, capture_output=True, timeout=60, check=True)
            qtbot.waitUntil(
                lambda: kiosk.store.guest_by_code("T-2").guest.is_checked_in,
                timeout=30_000,
            )
            assert kiosk.scan("T-2", "scanner").verdict.kind == VerdictKind.ALREADY_IN

            # This door shows its own code as a QR code: it reads back whole, and
            # carries where this door listens.
            statistics = kiosk.window.statistics
            assert statistics is not None and not statistics.pair.isHidden()
            statistics.pair.click()
            (dialog,) = kiosk.window.findChildren(PairingDialog)
            shown = decoded(dialog.picture.pixmap().toImage())
            assert shown == dialog.code
            pairing = Pairing.parse(shown)
            assert pairing.event_id == "file-guests" and pairing.login is None
            assert pairing.addresses
            assert all(a.endswith(f":{kiosk.mesh.port}") for a in pairing.addresses)
            dialog.close()
    finally:
        first.close()


def test_a_locked_door_or_a_no_from_staff_never_pairs(qtbot: QtBot, tmp_path: Path) -> None:
    first = saved_door(spreadsheet_door(tmp_path, "first"))
    assert first is not None
    with first:
        code = first.pairing(["127.0.0.1:9"])
    here = spreadsheet_door(tmp_path, "here")
    with open_kiosk(qtbot, here, str(tmp_path / "no-camera"), 3600, peers=True) as kiosk:
        kiosk.confirm = lambda title, text: False  # staff say no
        kiosk.read(code, "camera")
        assert kiosk.door.mesh_secret_text() is None and kiosk.mesh is None
        asked: list[str] = []

        def staff_say_yes(title: str, text: str) -> bool:
            asked.append(text)
            return True

        kiosk.confirm = staff_say_yes
        kiosk.window.has_pin = lambda: True  # a PIN was chosen earlier
        assert kiosk.window.lock()
        kiosk.read(code, "scanner")  # a guest holding up a code at a locked door
        assert not asked  # not even asked
        assert "a supervisor pairs doors" in kiosk.window.scan.verdict.detail.text()
        assert kiosk.door.mesh_secret_text() is None and kiosk.mesh is None


def test_the_login_screen_starts_a_new_door_from_a_pairing_code(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from doorcheck.app import _start_from_pairing
    from doorcheck.peers.trust import MeshSecret, StationLogin
    from doorcheck.session.door import is_pairing_code

    login = StationLogin("https://checkin.example.org", "Side Door", "s3cret-app-code")
    code = Pairing("4711", MeshSecret.new(), ("127.0.0.1:47474",), login).text()
    data = tmp_path / "new"
    dialog = LoginDialog(lambda *values: None, pair=lambda c: _start_from_pairing(data, c),
                         is_pairing_code=is_pairing_code)  # fmt: skip
    qtbot.addWidget(dialog)
    assert dialog.fill_from_setup("DOORCHECK-PAIR:1:not-base64!") is True
    qtbot.waitUntil(lambda: "not a pairing code" in dialog.message.text(), timeout=10_000)
    assert saved_door(data) is None
    assert dialog.fill_from_setup(code) is True
    qtbot.waitUntil(lambda: dialog.result() == LoginDialog.DialogCode.Accepted, timeout=10_000)
    door = saved_door(data)
    assert door is not None
    with door:
        assert (door.event_id, door.station) == ("4711", "Side Door")
        assert door.mesh_secret_text() is not None
        assert door.saved_addresses() == ["127.0.0.1:47474"]
