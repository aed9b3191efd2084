"""Finding a guest by typing, and checking them in or out by hand.

The panel gets two functions from the composition root (search, and act on a guest)
and shows plain results; it never touches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from doorcheck.domain.changes import Action
from doorcheck.services.checkin import ScanOutcome
from doorcheck.store.local import SearchHit

Search = Callable[[str], Sequence[SearchHit]]
Act = Callable[[str, Action], ScanOutcome]


_DOT = "  \u00b7  "


def describe(hit: SearchHit) -> str:
    guest = hit.guest
    parts = [guest.display_name]
    company = guest.field_text("company")
    if company:
        parts.append(company)
    if hit.main_name:
        parts.append(f"companion of {hit.main_name}")
    if guest.is_checked_in and guest.check_in is not None:
        where = f" at {guest.check_in_station}" if guest.check_in_station else ""
        state = f"IN since {guest.check_in.astimezone():%H:%M}{where}"
    elif guest.registration_state.value == "deregistered":
        state = "deregistered"
    else:
        state = "not in"
    return f"{_DOT.join(parts)}    \u2014 {state}"


class SearchPanel(QWidget):
    acted = Signal(object)  # the ScanOutcome of a manual check-in or check-out

    def __init__(
        self,
        search: Search,
        act: Act,
        min_length: int = 1,
        can_check_out: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._act = act
        self.min_length = max(1, min_length)
        self.can_check_out = can_check_out  # not at a check-in-only station
        self.box = QLineEdit()
        self.box.setPlaceholderText("Name, company, email or code")
        self.box.setAccessibleName("Search guests")
        self.box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Guests found")
        self.results.setSpacing(6)
        self.hint = QLabel()
        self.hint.setStyleSheet("font-size: 15px; color: #455a64;")
        self.check_in = QPushButton("Check in")
        self.check_out = QPushButton("Check out")
        for button in (self.check_in, self.check_out):
            button.setMinimumHeight(48)
            button.setEnabled(False)
        for widget in (self.box, self.results, self.check_in, self.check_out):
            font = widget.font()
            font.setPointSize(16)
            widget.setFont(font)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_in)
        buttons.addWidget(self.check_out)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.hint)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        # Search a moment after the last key, not on every key of a fast typist.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.refresh)
        self.box.textChanged.connect(lambda _: self._debounce.start())
        self.box.returnPressed.connect(self.refresh)
        self.results.currentItemChanged.connect(lambda *_: self._enable())
        self.check_in.clicked.connect(lambda: self._do(Action.CHECK_IN))
        self.check_out.clicked.connect(lambda: self._do(Action.CHECK_OUT))
        self._hits: list[SearchHit] = []

    def refresh(self) -> None:
        text = self.box.text().strip()
        self.results.clear()
        self._hits = []
        if len(text) < self.min_length:
            self.hint.setText(f"Type at least {self.min_length} letters" if text else "")
            self._enable()
            return
        hits = self._search(text)
        self._hits = list(hits)
        for hit in self._hits:
            item = QListWidgetItem(describe(hit))
            item.setData(Qt.ItemDataRole.UserRole, hit.guest.id)
            self.results.addItem(item)
        broad = getattr(hits, "broad", False)
        self.hint.setText(
            "Many guests match: keep typing"
            if broad
            else f"{len(self._hits)} found"
            if self._hits
            else "Nobody found"
        )
        if self._hits:
            self.results.setCurrentRow(0)
        self._enable()

    def _enable(self) -> None:
        chosen = self._chosen()
        self.check_in.setEnabled(chosen is not None and not chosen.guest.is_checked_in)
        self.check_out.setEnabled(
            self.can_check_out and chosen is not None and chosen.guest.is_checked_in
        )
        self.check_out.setVisible(self.can_check_out)

    def _chosen(self) -> SearchHit | None:
        row = self.results.currentRow()
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def _do(self, action: Action) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        outcome = self._act(chosen.guest.id, action)
        self.acted.emit(outcome)
        self.refresh()
