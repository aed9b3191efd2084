"""The live camera picture with an outline on the code that was read."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from doorcheck.scan.decoder import Corners
from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import clip, plain_labels


def to_qimage(frame: np.ndarray) -> QImage:
    """A copy of a greyscale or BGR frame as a QImage (safe to hand across threads)."""
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    if frame.ndim == 2:
        image = QImage(frame.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(frame.data, width, height, 3 * width, QImage.Format.Format_BGR888)
    return image.copy()


class CameraPreview(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Camera picture"))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #000; color: #ccc; border-radius: 12px;")
        self.setText(tr("No camera picture yet"))
        plain_labels(self)  # a camera's error names a file or a device from outside

    def show_frame(self, image: QImage, outlines: list[Corners]) -> None:
        pixmap = QPixmap.fromImage(image)
        if outlines:
            painter = QPainter(pixmap)
            pen = QPen(QColor("#00e676"))
            pen.setWidth(max(4, image.width() // 200))
            painter.setPen(pen)
            for corners in outlines:
                painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in corners]))
            painter.end()
        # Scaled to device pixels, so the picture is sharp on a high-DPI screen.
        ratio = self.devicePixelRatioF()
        scaled = pixmap.scaled(
            self.size() * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        self.setPixmap(scaled)

    def show_problem(self, message: str) -> None:
        self.clear()
        self.setText(clip(message))
