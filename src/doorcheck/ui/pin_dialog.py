"""The staff PIN: asked to leave the locked kiosk, chosen twice to set it."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import plain_labels

MIN_PIN = 4


class PinDialog(QDialog):
    """Asks for the staff PIN; with ``choose``, asks for a new one twice."""

    def __init__(self, choose: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choose = choose
        self.setWindowTitle(tr("Choose a staff PIN") if choose else tr("Staff PIN"))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName(tr("Staff PIN"))
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(tr("The PIN again"))
        self.again.setVisible(choose)
        self.message = QLabel(
            tr("At least {count} digits. Staff need it to leave the locked kiosk.").format(
                count=MIN_PIN
            )
            if choose
            else tr("Type the staff PIN to unlock.")
        )
        self.message.setWordWrap(True)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.pin)
        layout.addWidget(self.again)
        layout.addWidget(buttons)
        for box in (self.pin, self.again):
            font = box.font()
            font.setPointSize(18)
            box.setFont(font)
        plain_labels(self)

    def _check(self) -> None:
        if self.choose:
            pin = self.pin.text()
            if len(pin) < MIN_PIN or not pin.isdigit():
                self.message.setText(tr("The PIN must be at least {count} digits.").format(
                    count=MIN_PIN))  # fmt: skip
                return
            if pin != self.again.text():
                self.message.setText(tr("The two PINs differ. Type them again."))
                return
        self.accept()
