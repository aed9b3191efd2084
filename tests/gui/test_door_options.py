"""The settings dialog's part for this door of the event (docs/occupancy.md): its zone
and capacity, and the daily check-out, set in the window and counted at once."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from doorcheck.app import apply_door_options, door_options
from doorcheck.cli import main as doorcheck
from doorcheck.domain.occupancy import DoorZone
from doorcheck.settings import KioskSettings
from doorcheck.ui.settings_dialog import SettingsDialog
from doorcheck.views import DoorOptions
from tests.support.kiosk import open_kiosk


def door(tmp_path: Path, mode: str) -> Path:
    source = tmp_path / "guests.csv"
    source.write_text("Code,First name,Last name\nT-1,Ann,Lee\nT-2,Ben,Ode\n")
    data = tmp_path / "door"
    assert doorcheck(["import", str(source), "--mode", mode, "--data", str(data)]) == 0
    return data


def test_the_dialog_shows_and_returns_the_doors_options(qtbot: QtBot) -> None:
    dialog = SettingsDialog(KioskSettings(), [("0", "Camera")],
                            door=DoorOptions("Garden", 300, "04:30", True))  # fmt: skip
    qtbot.addWidget(dialog)
    assert (dialog.zone.text(), dialog.capacity.value()) == ("Garden", 300)
    assert dialog.check_out.isChecked() and dialog.check_out_time.time().toString() == "04:30:00"
    dialog.zone.setText("  Terrace ")
    dialog.capacity.setValue(0)  # shown as "none"
    dialog.check_out.setChecked(False)
    assert dialog.result_door() == DoorOptions("Terrace", None, None, True)
    # Without a door (no event open), the dialog has no such part.
    plain = SettingsDialog(KioskSettings(), [("0", "Camera")])
    qtbot.addWidget(plain)
    assert plain.result_door() is None


def test_a_check_in_station_cannot_choose_a_daily_check_out(qtbot: QtBot) -> None:
    dialog = SettingsDialog(KioskSettings(), [("0", "Camera")],
                            door=DoorOptions(can_check_out=False))  # fmt: skip
    qtbot.addWidget(dialog)
    assert not dialog.check_out.isEnabled() and "exit" in dialog.check_out.toolTip()


def test_options_set_in_the_window_count_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    data = door(tmp_path, "toggle")
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        assert door_options(kiosk) == DoorOptions("", None, None, True)
        kiosk.scan("T-1", "scanner")
        assert apply_door_options(kiosk, DoorOptions("Garden", 10, "04:00", True)) is None
        assert kiosk.door.door_zone() == DoorZone("Garden", 10)
        assert door_options(kiosk) == DoorOptions("Garden", 10, "04:00", True)
        (garden,) = kiosk.store.statistics().occupancy.zones
        assert (garden.name, garden.inside, garden.capacity) == ("Garden", 1, 10)
        bad = apply_door_options(kiosk, DoorOptions("Bad\nName", None, "04:00", True))
        assert bad is not None and "printable" in bad
        assert kiosk.door.door_zone() == DoorZone("Garden", 10)  # kept as it was
        assert apply_door_options(kiosk, DoorOptions("", None, None, True)) is None
        assert kiosk.door.door_zone() is None and kiosk.store.zones.check_out_time() is None


def test_a_check_in_station_refuses_the_daily_check_out_in_words(
    qtbot: QtBot, tmp_path: Path
) -> None:
    data = door(tmp_path, "checkIn")
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        assert not door_options(kiosk).can_check_out
        refused = apply_door_options(kiosk, DoorOptions("", None, "04:00", False))
        assert refused is not None and "does not check guests out" in refused
        assert kiosk.store.zones.check_out_time() is None
