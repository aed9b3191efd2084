"""Live figures for the door manager: arrivals per 5 minutes, inside now, per station."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.views import BUCKET_MINUTES, PeerView, Statistics

SHOWN_BUCKETS = 36  # three hours of 5-minute bars: wide enough to read at a glance
BAR = QColor("#1565c0")
AXIS = QColor("#455a64")


def recent_buckets(
    arrivals: list[tuple[datetime, int]], now: datetime, count: int = SHOWN_BUCKETS
) -> list[tuple[datetime, int]]:
    """The last ``count`` 5-minute slots up to ``now``, empty ones included, so the
    chart's time axis is even and the latest bar is the current slot."""
    now = now.astimezone(UTC)
    current = now.replace(second=0, microsecond=0, minute=now.minute - now.minute % 5)
    by_start = dict(arrivals)
    slots = [current - timedelta(minutes=BUCKET_MINUTES * i) for i in reversed(range(count))]
    return [(start, by_start.get(start, 0)) for start in slots]


class ArrivalsChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Arrivals per 5 minutes"))
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.buckets: list[tuple[datetime, int]] = []

    def show_buckets(self, buckets: list[tuple[datetime, int]]) -> None:
        self.buckets = buckets
        busiest = max(buckets, key=lambda b: b[1], default=None)
        if busiest and busiest[1]:
            self.setAccessibleDescription(
                tr("Busiest: {count} arrivals at {time}").format(
                    count=busiest[1], time=f"{busiest[0].astimezone():%H:%M}"
                )
            )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSize(11)
        painter.setFont(font)
        left, bottom, top = 44.0, self.height() - 28.0, 12.0
        width = self.width() - left - 12.0
        painter.setPen(QPen(AXIS, 1))
        painter.drawLine(int(left), int(bottom), int(left + width), int(bottom))
        if not self.buckets:
            return
        highest = max(1, *(count for _, count in self.buckets))
        scale = (bottom - top) / highest
        step = width / len(self.buckets)
        painter.drawText(
            QRectF(0, top - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, str(highest)
        )
        painter.drawText(QRectF(0, bottom - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, "0")
        for i, (start, count) in enumerate(self.buckets):
            x = left + i * step
            if count:
                height = count * scale
                painter.fillRect(QRectF(x + 2, bottom - height, step - 4, height), BAR)
            local = start.astimezone()
            if local.minute % 30 == 0:  # a time under every half hour
                painter.setPen(QPen(AXIS, 1))
                painter.drawText(
                    QRectF(x - 30, bottom + 4, 60, 20),
                    Qt.AlignmentFlag.AlignHCenter,
                    f"{local:%H:%M}",
                )
        painter.end()


class StatisticsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inside = QLabel()
        self.inside.setAccessibleName(tr("Inside now"))
        self.inside.setStyleSheet("font-size: 30px; font-weight: bold;")
        self.last_hour = QLabel()
        self.last_hour.setAccessibleName(tr("Arrivals in the last hour"))
        self.last_hour.setStyleSheet("font-size: 20px;")
        self.chart = ArrivalsChart()
        title = QLabel(tr("Arrivals per 5 minutes"))
        title.setStyleSheet("font-size: 17px; color: #455a64;")
        self.stations = QTableWidget(0, 3)
        self.stations.setAccessibleName(tr("Per station"))
        self.stations.setHorizontalHeaderLabels([tr("Station"), tr("Arrived"), tr("Left")])
        self.stations.verticalHeader().setVisible(False)
        self.stations.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stations.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.stations.setMinimumWidth(360)
        self.stations.setStyleSheet("font-size: 16px;")
        self.export = QPushButton(tr("Export check-ins\u2026"))
        self.export.setAccessibleName(tr("Export check-ins to a CSV or XLSX file"))
        self.export.setMinimumHeight(40)
        self.export.setStyleSheet("font-size: 15px; padding: 4px 14px;")
        self.export.setVisible(False)  # shown once the composition root can export
        # The event's other doors on the LAN (docs/peers.md): shown once there are any.
        self.doors = QTableWidget(0, 3)
        self.doors.setAccessibleName(tr("Doors nearby"))
        self.doors.setHorizontalHeaderLabels([tr("Door"), tr("Last heard"), tr("Changes here")])
        self.doors.verticalHeader().setVisible(False)
        self.doors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.doors.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.doors.setStyleSheet("font-size: 16px;")
        self.doors.hide()
        figures = QHBoxLayout()
        figures.addWidget(self.inside)
        figures.addStretch(1)
        figures.addWidget(self.last_hour)
        figures.addWidget(self.export)
        chart = QVBoxLayout()
        chart.addWidget(title)
        chart.addWidget(self.chart, 1)
        body = QHBoxLayout()
        body.addLayout(chart, 3)
        tables = QVBoxLayout()
        tables.addWidget(self.stations, 1)
        tables.addWidget(self.doors, 1)
        body.addLayout(tables, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(figures)
        layout.addLayout(body, 1)
        plain_labels(self)
        self.show_statistics(Statistics([], 0, 0, []))

    def show_statistics(self, stats: Statistics, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        buckets = recent_buckets(stats.arrivals, now)
        self.chart.show_buckets(buckets)
        self.inside.setText(
            tr("{inside} inside now of {guests} guests").format(
                inside=stats.inside, guests=stats.guests
            )
        )
        hour = sum(count for start, count in buckets[-12:])
        self.last_hour.setText(tr("{count} arrived in the last hour").format(count=hour))
        self.stations.setRowCount(len(stats.stations))
        for row, station in enumerate(stats.stations):
            for column, value in enumerate(
                (clip(station.station), str(station.arrivals), str(station.departures))
            ):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.stations.setItem(row, column, item)

    def show_peers(self, peers: Sequence[PeerView]) -> None:
        """Each other door: when last heard, how many of its changes are here; one not
        heard from for 30 s in red."""
        self.doors.setVisible(bool(peers))
        self.doors.setRowCount(len(peers))
        for row, peer in enumerate(peers):
            heard = f"{peer.last_heard.astimezone():%H:%M:%S}" if peer.last_heard else "\u2013"
            for column, value in enumerate((clip(peer.station), heard, str(peer.held))):
                item = QTableWidgetItem(value)
                if peer.stale:  # red, and said in words where the pointer rests
                    item.setForeground(QColor("#b71c1c"))
                    item.setToolTip(tr("{time}, not heard from for 30 s").format(time=heard))
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.doors.setItem(row, column, item)
