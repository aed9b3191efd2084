"""Finding a guest by typing; their details; checking them, their party or a new
companion in or out by hand.

The panel gets plain functions from the composition root (``GuestDesk``) and shows
plain results; it never touches the store. Every one of those functions runs on a
worker thread through the panel's task runner (``ui.tasks``): a search over many
guests never freezes the door screen, and the answer is shown when it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from doorcheck.domain.changes import Action
from doorcheck.domain.guest import FieldValue, Guest
from doorcheck.domain.verdict import Verdict, VerdictKind
from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import RICH, clip, plain_labels
from doorcheck.ui.tasks import TaskRunner
from doorcheck.views import GuestView, NotRecordedError, ScanOutcome, SearchHit

T = TypeVar("T")


@dataclass(frozen=True)
class GuestDesk:
    """What the guest list may do, as functions the composition root provides."""

    search: Callable[[str], Sequence[SearchHit]]
    act: Callable[[str, Action], ScanOutcome]
    details: Callable[[str], GuestView | None] = lambda guest_id: None
    check_in_party: Callable[[str, Sequence[str]], list[ScanOutcome]] = lambda g, c: []
    add_companion: Callable[[str, dict[str, FieldValue]], Guest] | None = None
    # A badge for the guest (issue 15); the composition root asks staff first.
    print_badge: Callable[[str], None] | None = None


_DOT = "  \u00b7  "


def state_text(guest: Guest) -> str:
    if guest.is_checked_in and guest.check_in is not None:
        when = f"{guest.check_in.astimezone():%H:%M}"
        if guest.check_in_station:
            return tr("IN since {time} at {station}").format(
                time=when, station=clip(guest.check_in_station)
            )
        return tr("IN since {time}").format(time=when)
    if guest.registration_state.value == "deregistered":
        return tr("deregistered")
    if guest.check_out is not None:
        return tr("left at {time}").format(time=f"{guest.check_out.astimezone():%H:%M}")
    return tr("not in")


# A result's columns (name, company, state) and the state's colour, for the painter.
COLUMNS_ROLE = Qt.ItemDataRole.UserRole + 1
# The share of the row each column gets; the header above the list uses the same.
COLUMN_SHARES = (40, 25, 35)


def state_colour(guest: Guest) -> str:
    """Inside green, deregistered red, left slate, not yet in dark grey: readable at
    a glance, and each state has its own words too (never colour alone)."""
    if guest.is_checked_in:
        return "#2e7d32"
    if guest.registration_state.value == "deregistered":
        return "#c62828"
    if guest.check_out is not None:
        return "#546e7a"
    return "#37474f"


def columns(hit: SearchHit) -> tuple[str, str, str, str]:
    guest = hit.guest
    name = guest.display_name
    if hit.main_name:
        name = tr("{name} (companion of {main})").format(name=name, main=hit.main_name)
    return (clip(name), clip(guest.field_text("company")), state_text(guest), state_colour(guest))


class ResultColumns(QStyledItemDelegate):
    """Paints a result as columns a steward can scan: the name in bold, the company,
    and the state in its colour. The item's own text (``describe``) stays what a
    screen reader says and what a copy takes."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        values = index.data(COLUMNS_ROLE)
        if not isinstance(values, tuple):
            super().paint(painter, option, index)
            return
        blank = QStyleOptionViewItem(option)
        self.initStyleOption(blank, index)
        blank.text = ""  # the background and the selection only
        widget = blank.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, blank, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect.adjusted(10, 0, -10, 0)
        painter.save()
        x = rect.x()
        for number, (text, share) in enumerate(zip(values[:3], COLUMN_SHARES, strict=True)):
            width = rect.width() * share // 100
            font = option.font
            font.setBold(number != 1)
            painter.setFont(font)
            colour = (
                option.palette.highlightedText().color()
                if selected
                else (QColor(values[3]) if number == 2 else option.palette.text().color())
            )
            painter.setPen(colour)
            shown = painter.fontMetrics().elidedText(str(text), Qt.TextElideMode.ElideRight,
                                                     width - 12)  # fmt: skip
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
            painter.drawText(x, rect.y(), width - 12, rect.height(), int(align), shown)
            x += width
        painter.restore()


def describe(hit: SearchHit) -> str:
    guest = hit.guest
    parts = [guest.display_name]
    company = guest.field_text("company")
    if company:
        parts.append(company)
    if hit.main_name:
        parts.append(tr("companion of {name}").format(name=hit.main_name))
    return f"{_DOT.join(clip(part) for part in parts)}    \u2014 {state_text(guest)}"


def _big(widget: QWidget, size: int = 16) -> None:
    font = widget.font()
    font.setPointSize(size)
    widget.setFont(font)


class CompanionDialog(QDialog):
    """The name of a companion who came along unannounced."""

    def __init__(self, main_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Add a companion of {name}").format(name=clip(main_name)))
        self.first = QLineEdit()
        self.first.setAccessibleName(tr("First name"))
        self.last = QLineEdit()
        self.last.setAccessibleName(tr("Last name"))
        self.email = QLineEdit()
        self.email.setAccessibleName(tr("Email"))
        self.check_in = QCheckBox(tr("Check in now"))
        self.check_in.setChecked(True)
        form = QFormLayout()
        form.addRow(tr("First name"), self.first)
        form.addRow(tr("Last name"), self.last)
        form.addRow(tr("Email"), self.email)
        form.addRow("", self.check_in)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Add"))
        ok.setEnabled(False)
        for box in (self.first, self.last):
            box.textChanged.connect(
                lambda _: ok.setEnabled(bool(self.first.text().strip() or self.last.text().strip()))
            )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        plain_labels(self)

    def fields(self) -> dict[str, FieldValue]:
        values = {
            "firstName": self.first.text().strip(),
            "lastName": self.last.text().strip(),
            "email": self.email.text().strip(),
        }
        return {key: value for key, value in values.items() if value}


class GuestDetails(QWidget):
    """One guest: who, their state, their companions (ticked to check in together)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setAccessibleName(tr("Guest details"))
        self.text.setWordWrap(True)
        # Our own markup (the name big, the code in type): every outside part escaped.
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setProperty(RICH, True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.companions = QListWidget()
        self.companions.setAccessibleName(tr("Companions: tick to check in with the guest"))
        self.companions_title = QLabel(tr("Companions (ticked ones are checked in together)"))
        _big(self.companions_title, 13)
        _big(self.text, 14)
        _big(self.companions, 14)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.companions_title)
        layout.addWidget(self.companions, 1)
        self.view: GuestView | None = None
        plain_labels(self)
        self.show_view(None)

    def show_view(self, view: GuestView | None) -> None:
        self.view = view
        self.companions.clear()
        if view is None:
            self.text.setText(f"<i>{escape(tr('Choose a guest to see their details.'))}</i>")
            self.companions_title.hide()
            self.companions.hide()
            return
        guest = view.guest
        rows = [f"<b style='font-size: 20pt'>{escape(clip(guest.display_name))}</b>"]
        for key, label in (("company", tr("Company")), ("email", tr("Email")),
                           ("notes", tr("Notes"))):  # fmt: skip
            if guest.field_text(key):
                rows.append(f"{escape(label)}: {escape(clip(guest.field_text(key)))}")
        if guest.access_code:
            rows.append(f"{escape(tr('Code'))}: <tt>{escape(clip(guest.access_code))}</tt>")
        rows.append(f"<b>{escape(state_text(guest))}</b>")
        if view.main_guest is not None:
            main_name = clip(view.main_guest.display_name)
            rows.append(escape(tr("companion of {name}").format(name=main_name)))
        if view.pending:
            rows.append(escape(tr("{count} change(s) not yet uploaded").format(count=view.pending)))
        self.text.setText("<br>".join(rows))
        for companion in view.companions:
            item = QListWidgetItem(
                f"{clip(companion.display_name)}    \u2014 {state_text(companion)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, companion.id)
            if companion.is_checked_in:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
            self.companions.addItem(item)
        shown = view.main_guest is None and bool(view.companions)  # no empty box
        self.companions_title.setVisible(shown)
        self.companions.setVisible(shown)

    def ticked(self) -> list[str]:
        ids = []
        for row in range(self.companions.count()):
            item = self.companions.item(row)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and (
                item.checkState() == Qt.CheckState.Checked
            ):
                ids.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return ids


class SearchPanel(QWidget):
    acted = Signal(object)  # the ScanOutcome of a manual check-in or check-out

    def __init__(
        self,
        desk: GuestDesk,
        min_length: int = 1,
        can_check_out: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.min_length = max(1, min_length)
        self.can_check_out = can_check_out  # not at a check-in-only station
        self.box = QLineEdit()
        self.box.setPlaceholderText(tr("Name, company, email or code"))
        self.box.setAccessibleName(tr("Search guests"))
        self.box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName(tr("Guests found"))
        self.results.setSpacing(4)
        self.results.setItemDelegate(ResultColumns(self.results))
        self.columns = QWidget()  # the columns' names over the list
        heads = QHBoxLayout(self.columns)
        heads.setContentsMargins(14, 0, 14, 0)
        for head, share in zip((tr("Name"), tr("Company"), tr("State")), COLUMN_SHARES,
                               strict=True):  # fmt: skip
            label = QLabel(head)
            label.setStyleSheet("font-size: 13px; color: #607d8b; font-weight: bold;")
            heads.addWidget(label, share)
        self.hint = QLabel()
        self.hint.setAccessibleName(tr("Search result"))
        self.hint.setStyleSheet("font-size: 15px; color: #455a64;")
        self.details = GuestDetails()
        self.check_in = QPushButton(tr("Check in"))
        self.check_out = QPushButton(tr("Check out"))
        self.add_companion = QPushButton(tr("Add companion\u2026"))
        self.add_companion.setVisible(desk.add_companion is not None)
        self.print_badge = QPushButton(tr("Print badge\u2026"))
        self.print_badge.setVisible(desk.print_badge is not None)
        for button in (self.check_in, self.check_out, self.add_companion, self.print_badge):
            button.setMinimumHeight(48)
            button.setEnabled(False)
        for widget in (self.box, self.results, self.check_in, self.check_out, self.add_companion,
                       self.print_badge):  # fmt: skip
            _big(widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_in)
        buttons.addWidget(self.check_out)
        buttons.addWidget(self.add_companion)
        buttons.addWidget(self.print_badge)
        left = QVBoxLayout()
        left.addWidget(self.box)
        left.addWidget(self.hint)
        left.addWidget(self.columns)
        left.addWidget(self.results, 1)
        right = QVBoxLayout()
        right.addWidget(self.details, 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        # Search a moment after the last key, not on every key of a fast typist.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.refresh)
        self.box.textChanged.connect(lambda _: self._debounce.start())
        self.box.returnPressed.connect(self._enter_in_box)
        self.results.currentRowChanged.connect(lambda _: self._show_chosen())
        self.details.companions.itemChanged.connect(lambda _: self._enable())
        self.check_in.clicked.connect(self._check_in)
        self.check_out.clicked.connect(lambda: self._do(Action.CHECK_OUT))
        self.add_companion.clicked.connect(self._add_companion)
        self.print_badge.clicked.connect(self._print_badge)
        # Keyboard: Down from the box into the list, Enter on a guest acts on them.
        self.results.itemActivated.connect(lambda _: self._activate())
        self.box.installEventFilter(self)
        self._hits: list[SearchHit] = []
        self._searched: str | None = None  # the text the results shown were found for
        self.tasks = TaskRunner(self)
        self._acting = False  # a check-in or the like is on its way: no second click
        plain_labels(self)

    def refresh(self, note: str | None = None) -> None:
        """Search for the box's text; ``note`` is shown instead of the count once the
        results are in (what the last action did)."""
        # This search covers what was typed: a debounced one still pending would come
        # back later and replace the note of an action with a bare count.
        self._debounce.stop()
        text = self.box.text().strip()
        if len(text) < self.min_length:
            self.tasks.drop("search")  # an answer for a longer text must not come back
            self.results.clear()
            self._hits = []
            self.hint.setText(
                tr("Type at least {count} letters").format(count=self.min_length) if text else ""
            )
            self._show_chosen()
            return
        search = self.desk.search
        self._searched = None  # the results shown are not of this text until it comes

        def found(hits: Sequence[SearchHit]) -> None:
            self._searched = text
            self._show_hits(hits, note)

        self.tasks.run(lambda: search(text), found, key="search")

    def _show_hits(self, hits: Sequence[SearchHit], note: str | None) -> None:
        chosen = self.chosen()
        keep = chosen.guest.id if chosen else None
        # Refilled without a signal per row: the details are asked for once, below.
        self.results.blockSignals(True)
        try:
            self.results.clear()
            self._hits = list(hits)
            for hit in self._hits:
                item = QListWidgetItem(describe(hit))
                item.setData(Qt.ItemDataRole.UserRole, hit.guest.id)
                item.setData(COLUMNS_ROLE, columns(hit))
                self.results.addItem(item)
            if self._hits:
                ids = [hit.guest.id for hit in self._hits]
                self.results.setCurrentRow(ids.index(keep) if keep in ids else 0)
        finally:
            self.results.blockSignals(False)
        broad = getattr(hits, "broad", False)
        self.hint.setText(
            note
            if note is not None
            else tr("Many guests match: keep typing")
            if broad
            else tr("{count} found").format(count=len(self._hits))
            if self._hits
            else tr("Nobody found")
        )
        self._show_chosen()

    def _show_chosen(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            self.tasks.drop("details")
            self.details.show_view(None)
            self._enable()
            return
        details, guest_id = self.desk.details, chosen.guest.id
        self._enable()  # the buttons wait for this guest's details
        self.tasks.run(lambda: details(guest_id), self._show_details, key="details")

    def _show_details(self, view: GuestView | None) -> None:
        self.details.show_view(view)
        self._enable()

    def _enable(self) -> None:
        view = self.details.view
        chosen = self.chosen()
        # Only the chosen guest's own details count (others may still show while
        # theirs load), and nothing while an action is on its way.
        current = (
            view is not None
            and chosen is not None
            and view.guest.id == chosen.guest.id
            and not self._acting
        )
        guest = view.guest if view and current else None
        inside = guest is not None and guest.is_checked_in
        party = len(self.details.ticked())
        self.check_in.setEnabled(guest is not None and (not inside or party > 0))
        self.check_in.setText(
            tr("Check in party ({count})").format(count=party + (0 if inside else 1))
            if party
            else tr("Check in")
        )
        self.check_out.setEnabled(self.can_check_out and inside)
        self.check_out.setVisible(self.can_check_out)
        self.add_companion.setEnabled(
            guest is not None
            and view is not None
            and view.main_guest is None
            and self.desk.add_companion is not None
        )
        self.print_badge.setEnabled(guest is not None and self.desk.print_badge is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.results.count()
        ):
            self.results.setFocus()
            return True
        return False

    def _enter_in_box(self) -> None:
        """Enter in the search box: checks in the highlighted guest when the results
        shown are those of the text as typed; else searches now (so a fast typist's
        Enter never acts on the results of a shorter text)."""
        current = self.box.text().strip()
        if self._debounce.isActive() or current != self._searched or self.chosen() is None:
            self.refresh()
            return
        self._activate()

    def _activate(self) -> None:
        """Enter on a guest: in if they are out (with the ticked party), else out."""
        if self.check_in.isEnabled():
            self.check_in.click()
        elif self.check_out.isEnabled():
            self.check_out.click()

    def chosen(self) -> SearchHit | None:
        """The guest picked in the results, if one is."""
        row = self.results.currentRow()
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def _check_in(self) -> None:
        view = self.details.view
        if view is None:
            return
        companions = self.details.ticked()
        if not companions:
            self._do(Action.CHECK_IN)
            return
        party, guest_id = self.desk.check_in_party, view.guest.id
        self._act(lambda: party(guest_id, companions), self._party_checked_in)

    def _party_checked_in(self, outcomes: list[ScanOutcome]) -> None:
        self._acting = False
        admitted = [o for o in outcomes if o.verdict.kind == VerdictKind.ADMIT]
        if outcomes:
            self.acted.emit(admitted[0] if admitted else outcomes[0])
        self.refresh(note=tr("{count} checked in").format(count=len(admitted)))

    def _do(self, action: Action) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        act, guest_id = self.desk.act, chosen.guest.id
        self._act(lambda: act(guest_id, action), self._acted)

    def _acted(self, outcome: ScanOutcome) -> None:
        self._acting = False
        self.acted.emit(outcome)
        self.refresh()

    def _act(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """An action on the store, off the GUI thread like everything else here (a
        busy store may keep it waiting); the buttons rest until it is answered."""
        self._acting = True
        self._enable()

        def not_done(exc: BaseException) -> None:
            self._acting = False
            self._enable()
            if failed is not None:
                failed(exc)
            else:
                self.tasks.report(exc)

        self.tasks.run(work, done, not_done)

    def _print_badge(self) -> None:
        view = self.details.view
        if view is not None and self.desk.print_badge is not None:
            self.desk.print_badge(view.guest.id)

    def _add_companion(self) -> None:
        view = self.details.view
        if view is None or self.desk.add_companion is None:
            return
        dialog = CompanionDialog(view.guest.display_name, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.add_companion_to(view.guest.id, dialog.fields(), dialog.check_in.isChecked())

    def add_companion_to(
        self, parent_id: str, fields: dict[str, FieldValue], check_in: bool
    ) -> None:
        """Record a companion the steward typed in (and check them in); on a full disk
        the door screen answers red, as for a scan, and nothing is recorded."""
        add, act = self.desk.add_companion, self.desk.act
        assert add is not None

        def work() -> tuple[Guest, ScanOutcome | None]:
            companion = add(parent_id, fields)
            return companion, act(companion.id, Action.CHECK_IN) if check_in else None

        def added(result: tuple[Guest, ScanOutcome | None]) -> None:
            self._acting = False
            companion, outcome = result
            if outcome is not None:
                self.acted.emit(outcome)
            self.refresh(note=tr("{name} added").format(name=clip(companion.display_name)))

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, NotRecordedError):
                self.tasks.report(exc)
                return
            self.acted.emit(ScanOutcome(Verdict(VerdictKind.NOT_RECORDED), None))

        self._act(work, added, failed)
