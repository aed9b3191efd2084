"""This door's pairing code as a QR code, for a new door to scan (docs/peers.md)."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import plain_labels

QUIET_MODULES = 4  # the white border a QR code needs around it to be read


def qr_pixmap(text: str, size: int = 420) -> QPixmap:
    """``text`` as a QR code, painted from the code's own matrix: crisp at any size,
    and no image library between the two."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix) + 2 * QUIET_MODULES
    scale = max(1, size // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                painter.fillRect(
                    QRect((column + QUIET_MODULES) * scale, (row + QUIET_MODULES) * scale,
                          scale, scale),
                    QColor("black"),
                )  # fmt: skip
    painter.end()
    return QPixmap.fromImage(image)


class PairingDialog(QDialog):
    """Shows the code; a door scans it on its login screen, or (staff) while it runs."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Pair another door"))
        self.code = code
        self.picture = QLabel()
        self.picture.setAccessibleName(tr("Pairing code"))
        self.picture.setPixmap(qr_pixmap(code))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explanation = QLabel(
            tr(
                "Hold this code to the new door's camera: on its login screen, or while "
                "it runs (staff only). It joins this event's doors and, where there is "
                "no internet, takes the guest list from this door.\n\n"
                "The code holds the event's door secret: show it to staff only, and "
                "close this window when done."
            )
        )
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("font-size: 15px;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture)
        layout.addWidget(self.explanation)
        layout.addWidget(buttons)
        plain_labels(self)
