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

from doorcheck.domain.occupancy import Fill, Occupancy, ZoneCount
from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.views import BUCKET_MINUTES, PeerView, Statistics

SHOWN_BUCKETS = 36  # three hours of 5-minute bars: wide enough to read at a glance
BAR = QColor("#1565c0")
AXIS = QColor("#455a64")
# A zone at 80 % of its capacity in amber, at 95 % in red (docs/occupancy.md).
FILL_COLOURS = {Fill.WARNING: "#e65100", Fill.ALERT: "#b71c1c"}
STALE = QColor("#b71c1c")


def fill_words(fill: Fill) -> str:
    if fill == Fill.ALERT:
        return tr("95 % full")
    if fill == Fill.WARNING:
        return tr("80 % full")
    return ""


def against(inside: int, capacity: int | None) -> str:
    """ "212 of 300 (70 %)", or the count alone without a capacity."""
    if not capacity:
        return str(inside)
    return tr("{inside} of {capacity} ({percent} %)").format(
        inside=inside, capacity=capacity, percent=inside * 100 // capacity
    )


def freshness(zone: ZoneCount, peers: Sequence[PeerView]) -> tuple[str, bool]:
    """How fresh a zone's figure is here: "now" while every other door of the zone
    has been heard from in the last 30 s; else since when the quiet ones are missing
    (their check-ins since are not counted), and True for "stale"."""
    quiet = [p for p in peers if p.station in zone.stations and p.stale]
    if not quiet:
        return tr("now"), False
    oldest = min((p.last_heard for p in quiet if p.last_heard), default=None)
    names = ", ".join(clip(p.station) for p in quiet)
    if oldest is None:
        return tr("{doors}: never heard from").format(doors=names), True
    return tr("{doors}: as of {time}").format(
        doors=names, time=f"{oldest.astimezone():%H:%M:%S}"
    ), True


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
        # Inside per zone against its capacity, and how fresh each figure is
        # (docs/occupancy.md): shown once the event has zones or a capacity.
        self.zones = QTableWidget(0, 3)
        self.zones.setAccessibleName(tr("Inside per zone"))
        self.zones.setHorizontalHeaderLabels([tr("Zone"), tr("Inside now"), tr("Figures from")])
        self.zones.verticalHeader().setVisible(False)
        self.zones.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.zones.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.zones.setStyleSheet("font-size: 16px;")
        self.zones.hide()
        self._occupancy = Occupancy()
        self._peers: Sequence[PeerView] = ()
        self.doors = QTableWidget(0, 4)
        self.doors.setAccessibleName(tr("Doors nearby"))
        self.doors.setHorizontalHeaderLabels(
            [tr("Door"), tr("Zone"), tr("Last heard"), tr("Changes here")]
        )
        self.doors.verticalHeader().setVisible(False)
        self.doors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.doors.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.doors.setStyleSheet("font-size: 16px;")
        self.doors.hide()
        # Shown once this door has the event's mesh secret (docs/peers.md).
        self.pair = QPushButton(tr("Pair another door\u2026"))
        self.pair.setAccessibleName(tr("Show this door's pairing code for a new door"))
        self.pair.setMinimumHeight(36)
        self.pair.setStyleSheet("font-size: 15px; padding: 4px 14px;")
        self.pair.hide()
        figures = QHBoxLayout()
        figures.addWidget(self.inside)
        figures.addStretch(1)
        figures.addWidget(self.last_hour)
        figures.addWidget(self.export)
        chart = QVBoxLayout()
        chart.addWidget(title)
        chart.addWidget(self.chart, 1)
        body = QHBoxLayout()
        body.addLayout(chart, 5)
        tables = QVBoxLayout()
        tables.addWidget(self.zones, 1)
        tables.addWidget(self.stations, 1)
        tables.addWidget(self.doors, 1)
        tables.addWidget(self.pair)
        body.addLayout(tables, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(figures)
        layout.addLayout(body, 1)
        plain_labels(self)
        self.show_statistics(Statistics([], 0, 0, []))

    def show_statistics(self, stats: Statistics, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        buckets = recent_buckets(stats.arrivals, now)
        self.chart.show_buckets(buckets)
        counted = stats.occupancy
        if counted.capacity:
            text = tr("{inside} inside now of {capacity} allowed ({percent} %)").format(
                inside=stats.inside, capacity=counted.capacity, percent=counted.percent
            )
            if counted.fill >= Fill.WARNING:
                text += " \u2013 " + fill_words(counted.fill)
        else:
            text = tr("{inside} inside now of {guests} guests").format(
                inside=stats.inside, guests=stats.guests
            )
        self.inside.setText(text)
        colour = FILL_COLOURS.get(counted.fill, "#263238")
        self.inside.setStyleSheet(f"font-size: 30px; font-weight: bold; color: {colour};")
        self._occupancy = counted
        self._show_zones()
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

    def _show_zones(self) -> None:
        counted = self._occupancy
        rows = list(counted.zones)
        self.zones.setVisible(bool(rows) or counted.capacity is not None)
        self.zones.setRowCount(len(rows) + (1 if counted.elsewhere else 0))
        for row, zone in enumerate(rows):
            shown = against(zone.inside, zone.capacity)
            if zone.fill >= Fill.WARNING:  # in words too, not by colour alone
                shown = "\u26a0 " + shown
            fresh, stale = freshness(zone, self._peers)
            for column, value in enumerate((clip(zone.name), shown, fresh)):
                item = QTableWidgetItem(value)
                if column == 1 and zone.fill in FILL_COLOURS:
                    item.setForeground(QColor(FILL_COLOURS[zone.fill]))
                    item.setToolTip(fill_words(zone.fill))
                if column == 2 and stale:
                    item.setForeground(STALE)
                    item.setToolTip(tr("Check-ins at these doors since then are not counted"))
                self.zones.setItem(row, column, item)
        if counted.elsewhere:  # came in at a station of no zone
            for column, value in enumerate((tr("No zone"), str(counted.elsewhere), "")):
                self.zones.setItem(len(rows), column, QTableWidgetItem(value))

    def show_peers(self, peers: Sequence[PeerView]) -> None:
        """Each other door: its zone, when last heard, how many of its changes are
        here; one not heard from for 30 s in red."""
        self._peers = list(peers)
        self._show_zones()  # the zones' freshness follows the doors'
        self.doors.setVisible(bool(peers))
        self.doors.setRowCount(len(peers))
        for row, peer in enumerate(peers):
            heard = f"{peer.last_heard.astimezone():%H:%M:%S}" if peer.last_heard else "\u2013"
            zone = clip(peer.zone.zone) if peer.zone else ""
            for column, value in enumerate((clip(peer.station), zone, heard, str(peer.held))):
                item = QTableWidgetItem(value)
                if peer.stale:  # red, and said in words where the pointer rests
                    item.setForeground(STALE)
                    item.setToolTip(tr("{time}, not heard from for 30 s").format(time=heard))
                if column == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.doors.setItem(row, column, item)
