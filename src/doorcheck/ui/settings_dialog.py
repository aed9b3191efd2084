"""The kiosk's settings: camera, code formats, sounds, sync, language, PIN, badges, wipe.

The dialog edits a copy of the settings and hands it back; the composition root
applies and saves it. Wiping is asked for through a signal, because only the
composition root may close the store first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from doorcheck.domain.badge import BadgeOptions
from doorcheck.domain.wedge import LAYOUTS
from doorcheck.scan.decoder import DEFAULT_FORMATS
from doorcheck.settings import LANGUAGES, SYNC_INTERVALS, KioskSettings
from doorcheck.ui.badge import BadgeOptionsForm
from doorcheck.ui.i18n import mark, tr
from doorcheck.ui.pin_dialog import PinDialog
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.views import DoorOptions

# Formats a ticket may carry, in the order the settings list them.
FORMATS = (*DEFAULT_FORMATS, "EAN13", "EAN8", "UPCA", "Code39", "ITF", "Codabar")
LANGUAGE_NAMES = {"system": mark("As the laptop (system)"), "en": "English", "de": "Deutsch"}
LAYOUT_NAMES = {"us": mark("US (QWERTY)"), "qwertz": mark("German (QWERTZ)"),
                "azerty": mark("French (AZERTY)")}  # fmt: skip


class SettingsDialog(QDialog):
    wipe_requested = Signal()

    def __init__(
        self,
        settings: KioskSettings,
        cameras: Sequence[tuple[str, str]],
        sound_available: bool = True,
        parent: QWidget | None = None,
        *,
        door: DoorOptions | None = None,
        badges: BadgeOptions | None = None,
        printers: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.door = door
        # This door's badges (issue 15): shown where the composition root gives them.
        self.badges = BadgeOptionsForm(badges, printers) if badges is not None else None
        self.setWindowTitle(tr("Settings"))
        self.original = settings
        self.new_pin: str | None = None
        self.camera = QComboBox()
        self.camera.setAccessibleName(tr("Camera"))
        self.camera.setEditable(True)  # a video file or a folder of pictures works too
        for value, name in cameras:
            self.camera.addItem(name, value)
        index = self.camera.findData(settings.camera)
        if index < 0:
            self.camera.addItem(settings.camera, settings.camera)
            index = self.camera.count() - 1
        self.camera.setCurrentIndex(index)
        self.formats: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for i, name in enumerate(FORMATS):
            box = QCheckBox(name)
            box.setChecked(name in settings.formats)
            self.formats[name] = box
            grid.addWidget(box, i // 3, i % 3)
        formats = QWidget()
        formats.setLayout(grid)
        formats.setAccessibleName(tr("Code formats"))
        self.sounds = QCheckBox(tr("Play a sound for every answer"))
        self.sounds.setChecked(settings.sounds)
        if not sound_available:
            self.sounds.setText(tr("Play a sound for every answer (no sound player found)"))
        self.interval = QComboBox()
        self.interval.setAccessibleName(tr("Sync interval"))
        for seconds in SYNC_INTERVALS:
            self.interval.addItem(tr("every {seconds} s").format(seconds=f"{seconds:g}"), seconds)
        self.interval.setCurrentIndex(max(0, self.interval.findData(settings.sync_interval)))
        self.language = QComboBox()
        self.language.setAccessibleName(tr("Language"))
        for code in LANGUAGES:
            self.language.addItem(tr(LANGUAGE_NAMES[code]), code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.layout_box = QComboBox()
        self.layout_box.setAccessibleName(tr("Keyboard layout of the USB scanner"))
        for code in LAYOUTS:
            self.layout_box.addItem(tr(LAYOUT_NAMES[code]), code)
        self.layout_box.setCurrentIndex(max(0, self.layout_box.findData(settings.keyboard_layout)))
        self.pin_button = QPushButton(tr("Change staff PIN\u2026") if settings.pin_hash
                                      else tr("Choose staff PIN\u2026"))  # fmt: skip
        self.pin_button.clicked.connect(self._choose_pin)
        self.hide_names = QComboBox()
        self.hide_names.setAccessibleName(tr("Show initials instead of names on the door screen"))
        for code, words in (("self-check-in", tr("Initials at self check-in")),
                            ("always", tr("Initials only, at every door screen")),
                            ("never", tr("Full names"))):  # fmt: skip
            self.hide_names.addItem(words, code)
        self.hide_names.setCurrentIndex(max(0, self.hide_names.findData(settings.hide_names)))
        self.logo = QLineEdit(settings.logo)
        self.logo.setAccessibleName(tr("Logo for the self check-in screen"))
        self.logo.setPlaceholderText(tr("an image file (PNG, JPEG), optional"))
        choose_logo = QPushButton(tr("Choose\u2026"))
        choose_logo.clicked.connect(self._choose_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(choose_logo)
        self.wipe = QPushButton(tr("Wipe this event's data from the laptop\u2026"))
        self.wipe.setStyleSheet("color: #b71c1c;")
        self.wipe.clicked.connect(self._confirm_wipe)
        self.note = QLabel()
        self.note.setWordWrap(True)
        if settings.problem:
            self.note.setText(clip(settings.problem))
        form = QFormLayout()
        form.addRow(tr("Camera"), self.camera)
        form.addRow(tr("Code formats"), formats)
        form.addRow(tr("Sounds"), self.sounds)
        form.addRow(tr("Sync"), self.interval)
        form.addRow(tr("Language"), self.language)
        form.addRow(tr("USB scanner keyboard"), self.layout_box)
        form.addRow(tr("Staff PIN"), self.pin_button)
        # This door of the event (kept with the event's data, not the laptop's).
        self.zone = QLineEdit(door.zone if door else "")
        self.zone.setAccessibleName(tr("Zone of this door"))
        self.zone.setPlaceholderText(tr("as the server's plan says"))
        self.zone.setMaxLength(100)
        self.capacity = QSpinBox()
        self.capacity.setAccessibleName(tr("Capacity of the zone"))
        self.capacity.setRange(0, 10_000_000)
        self.capacity.setSpecialValueText(tr("none"))  # 0: no capacity set here
        self.capacity.setValue(door.capacity or 0 if door else 0)
        self.check_out = QCheckBox(tr("Check everyone out every day at"))
        self.check_out_time = QTimeEdit()
        self.check_out_time.setDisplayFormat("HH:mm")
        self.check_out_time.setAccessibleName(tr("Daily check-out time"))
        at = QTime.fromString(door.check_out_at, "HH:mm") if door and door.check_out_at else None
        self.check_out.setChecked(at is not None)
        self.check_out_time.setTime(at if at is not None and at.isValid() else QTime(4, 0))
        daily = QHBoxLayout()
        daily.addWidget(self.check_out)
        daily.addWidget(self.check_out_time)
        daily.addStretch(1)
        if door is not None and not door.can_check_out:
            for widget in (self.check_out, self.check_out_time):
                widget.setEnabled(False)
                widget.setToolTip(tr("Only at an exit or a toggle station: the server "
                                     "refuses check-outs from a check-in station"))  # fmt: skip
        if door is not None:
            form.addRow(tr("Zone"), self.zone)
            form.addRow(tr("Zone capacity"), self.capacity)
            form.addRow(tr("Daily check-out"), daily)
        if self.badges is not None:
            form.addRow(tr("Badges"), self.badges)
        form.addRow(tr("Names on screen"), self.hide_names)
        form.addRow(tr("Self check-in logo"), logo_row)
        form.addRow(tr("Privacy"), self.wipe)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        plain_labels(self)

    def result_settings(self) -> KioskSettings:
        chosen = replace(
            self.original,
            camera=str(self.camera.currentData() or self.camera.currentText()).strip() or "0",
            formats=[name for name, box in self.formats.items() if box.isChecked()],
            sounds=self.sounds.isChecked(),
            sync_interval=float(self.interval.currentData()),
            language=str(self.language.currentData()),
            keyboard_layout=str(self.layout_box.currentData()),
            hide_names=str(self.hide_names.currentData()),
            logo=self.logo.text().strip(),
        )
        if self.new_pin is not None:
            chosen.set_pin(self.new_pin)
        return chosen

    def result_door(self) -> DoorOptions | None:
        """This door's options as chosen, or None where the dialog showed none."""
        if self.door is None:
            return None
        at = self.check_out_time.time().toString("HH:mm") if self.check_out.isChecked() else None
        return DoorOptions(self.zone.text().strip(), self.capacity.value() or None, at,
                           self.door.can_check_out)  # fmt: skip

    def result_badges(self) -> BadgeOptions | None:
        """The badge settings as chosen, or None where the dialog showed none."""
        return self.badges.options() if self.badges is not None else None

    def _save(self) -> None:
        if not any(box.isChecked() for box in self.formats.values()):
            self.note.setText(tr("Choose at least one code format."))
            return
        if self.language.currentData() != self.original.language:
            self.note.setText(tr("The new language shows after the kiosk restarts."))
        self.accept()

    def _choose_logo(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        chosen, _ = QFileDialog.getOpenFileName(self, tr("Self check-in logo"), self.logo.text(),
                                                tr("Images (*.png *.jpg *.jpeg)"))  # fmt: skip
        if chosen:
            self.logo.setText(chosen)

    def _choose_pin(self) -> None:
        dialog = PinDialog(choose=True, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.new_pin = dialog.pin.text()
            self.pin_button.setText(tr("New PIN chosen (saved with the settings)"))

    def _confirm_wipe(self) -> None:
        answer = QMessageBox.question(
            self,
            tr("Wipe local data"),
            tr(
                "Delete this event's guest list, changes and scans from this laptop? "
                "The door logs out and needs the App Code again."
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.wipe_requested.emit()
            self.reject()
