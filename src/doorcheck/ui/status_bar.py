"""What the door knows, always visible: online or not, last sync, waiting changes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QChildEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from doorcheck.domain.timeutil import parse_datetime
from doorcheck.sync.health import WorkerHealth
from doorcheck.ui.i18n import mark, say, tr
from doorcheck.ui.plain import clip, plain_labels, plain_tooltip
from doorcheck.views import ForwardStatus, PeerView, StoreStatus, SyncStatus

# Who is failing, as the status bar names the workers (sync.health.WORKERS).
WORKER_NAMES = {"sync": mark("Sync"), "source": mark("Guest list"),
                "forward": mark("Event Cadence"), "count": mark("Counting")}  # fmt: skip
MODE_NAMES = {"checkIn": mark("Check-in only"), "toggle": mark("Check-in / check-out"),
              "checkOut": mark("Check-out only")}  # fmt: skip


class DoorStatusBar(QStatusBar):
    changes_requested = Signal()

    def __init__(self, station: str, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = QLabel(f"{clip(station)} \u00b7 {tr(MODE_NAMES.get(mode, mode))}")
        self.online = QLabel(tr("Connecting\u2026"))
        self.synced = QLabel(tr("Never synced"))
        self.waiting = QPushButton(tr("{count} waiting").format(count=0))
        self.waiting.setFlat(True)
        self.waiting.setToolTip(tr("Show the changes waiting, in conflict or rejected"))
        self.waiting.clicked.connect(self.changes_requested)
        self.local = False  # a guest list from a file (show_local)
        self.uploads = True  # False where the source takes no uploads: no waiting count
        self.forwarding: QLabel | None = None  # Event Cadence, where set up
        self.problems: dict[str, WorkerHealth] = {}  # workers failing now
        # Not in the bar itself: a bar is one line high, and a reason cut off is no
        # reason. The window shows it as a strip above the bar, the full width, wrapped.
        self.failing = QLabel(self)  # the window's layout takes it over
        self.failing.setAccessibleName(tr("Failing"))
        self.failing.setWordWrap(True)
        self.failing.setTextFormat(Qt.TextFormat.PlainText)  # reasons may quote a server
        self.failing.setStyleSheet(
            "padding: 6px 12px; font-size: 15px; color: white; background: #b71c1c;"
            " font-weight: bold;"
        )
        self.failing.hide()
        self.inside = QLabel(tr("{inside} / {guests} in").format(inside=0, guests=0))
        # The other doors of the event on the LAN (docs/peers.md), once this door joins.
        self.doors = QLabel()
        for label, name in ((self.station, tr("Station and mode")), (self.online, tr("Server")),
                            (self.doors, tr("Doors nearby")), (self.synced, tr("Last sync")),
                            (self.waiting, tr("Changes waiting")),
                            (self.inside, tr("Checked in"))):  # fmt: skip
            label.setAccessibleName(name)
            label.setStyleSheet("padding: 0 12px; font-size: 15px;")
            self.addPermanentWidget(label)
        self.doors.hide()

    def childEvent(self, event: QChildEvent) -> None:  # noqa: N802 - Qt's name
        """Station names and error texts come from outside: every label put in the bar,
        also later and by any of Qt's add or insert calls, shows plain text."""
        child = event.child()
        if event.added() and isinstance(child, QWidget):
            plain_labels(child)
        super().childEvent(event)

    def show_forwarding(self, status: ForwardStatus) -> None:
        """Event Cadence, where the door forwards profiles: shown once set up."""
        if self.forwarding is None:
            self.forwarding = QLabel()
            self.forwarding.setAccessibleName(tr("Forwarding to Event Cadence"))
            self.addPermanentWidget(self.forwarding)
        text = tr("Event Cadence: {sent} sent, {waiting} waiting").format(
            sent=status.sent, waiting=status.waiting
        )
        if status.held:
            text += ", " + tr("{count} held back").format(count=status.held)
        colour = "#b71c1c" if status.blocked else "#263238"
        self.forwarding.setText(text)
        self.forwarding.setStyleSheet(f"padding: 0 12px; font-size: 15px; color: {colour};")
        self.forwarding.setToolTip(plain_tooltip(say(status.problem) if status.problem else ""))

    def show_health(self, health: WorkerHealth) -> None:
        """A worker failing says so, in words, until its next good round."""
        if health.failing is None:
            self.problems.pop(health.worker, None)
        else:
            self.problems[health.worker] = health
        lines = []
        for problem in self.problems.values():
            name = tr(WORKER_NAMES.get(problem.worker, problem.worker))
            reason = say(problem.failing) if problem.failing is not None else ""
            if problem.stopped:
                lines.append(tr("{worker} stopped: {reason}").format(worker=name, reason=reason))
            else:
                lines.append(tr("{worker} failing: {reason}").format(worker=name, reason=reason))
        self.failing.setText("\n".join(lines))
        self.failing.setToolTip("\n".join(lines))
        self.failing.setVisible(bool(lines))
        if health.worker in ("sync", "source") and health.failing is not None and not self.local:
            self._show_sync_failing()

    def _sync_failing(self) -> bool:
        return not self.local and bool({"sync", "source"} & self.problems.keys())

    def _show_sync_failing(self) -> None:
        # Not "Online" while the rounds fail, whatever the last one said.
        self.online.setText(tr("\u26a0 Sync failing \u2013 the door works on"))
        self.online.setStyleSheet(
            "padding: 0 12px; font-size: 15px; color: #b71c1c; font-weight: bold;"
        )

    def show_peers(self, peers: Sequence[PeerView]) -> None:
        """How many of the event's other doors this door hears from now; a door not
        heard from for 30 s is named, so staff know which one to look at."""
        nearby = [p for p in peers if not p.stale]
        silent = [p for p in peers if p.stale]
        text = tr("Doors nearby: {count}").format(count=len(nearby))
        if silent:
            text += " · " + tr("{count} not heard from").format(count=len(silent))
        self.doors.setText(text)
        colour = "#b71c1c" if silent else ("#1b5e20" if nearby else "#263238")
        self.doors.setStyleSheet(f"padding: 0 12px; font-size: 15px; color: {colour};")
        self.doors.setToolTip(plain_tooltip("\n".join(peer_line(p) for p in peers)))
        self.doors.show()

    def show_local(self, file_name: str) -> None:
        """A guest list from a file: no server to be online with."""
        self.online.setText(tr("Guest list from {file}").format(file=clip(file_name)))
        self.online.setStyleSheet("padding: 0 12px; font-size: 15px; color: #263238;")
        self.local = True

    def show_sync(self, status: SyncStatus) -> None:
        if self.local:
            self.online.setToolTip(
                plain_tooltip(say(status.last_error) if status.last_error else "")
            )
            return
        if status.online is None:
            return
        if status.online and self._sync_failing():
            self._show_sync_failing()  # the server answers, but the rounds still fail
        elif status.online:
            self.online.setText(tr("\u25cf Online"))
            self.online.setStyleSheet("padding: 0 12px; font-size: 15px; color: #1b5e20;")
        else:
            self.online.setText(tr("\u25cb OFFLINE \u2013 the door works on"))
            self.online.setStyleSheet(
                "padding: 0 12px; font-size: 15px; color: #b71c1c; font-weight: bold;"
            )
        self.online.setToolTip(plain_tooltip(say(status.last_error) if status.last_error else ""))

    def show_store(self, status: StoreStatus) -> None:
        when = parse_datetime(status.last_sync)
        self.synced.setText(
            tr("Synced {time}").format(time=f"{when.astimezone():%H:%M:%S}")
            if when
            else tr("Never synced")
        )
        parts = [tr("{count} waiting").format(count=status.pending)]
        if status.conflicts:
            parts.append(tr("{count} conflicts").format(count=status.conflicts))
        if status.rejected:
            parts.append(tr("{count} rejected").format(count=status.rejected))
        if status.unreadable:  # set aside by the sync: the rest of the list is in use
            parts.append(tr("{count} guests could not be read").format(count=status.unreadable))
        self.waiting.setText(", ".join(parts))
        self.inside.setText(
            tr("{inside} / {guests} in").format(inside=status.checked_in, guests=status.guests)
        )


def peer_line(peer: PeerView) -> str:
    """One door of the mesh in words: who, when last heard, how much of it is here."""
    if peer.last_heard is None:
        heard = tr("never heard from")
    else:
        heard = tr("heard {time}").format(time=f"{peer.last_heard.astimezone():%H:%M:%S}")
    line = tr("{door}: {heard}, {count} of its changes here").format(
        door=clip(peer.station), heard=heard, count=peer.held
    )
    if peer.stale:
        line += " \u2013 " + tr("not heard from for 30 s")
    return line
