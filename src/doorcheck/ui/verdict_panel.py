"""The big answer a steward reads from two metres: colour, symbol and words.

Colour-blind safe: every verdict differs in symbol (check, cross, exclamation) and
words, not colour alone, and the three colours differ in brightness too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from doorcheck.domain.changes import Action
from doorcheck.domain.verdict import VerdictKind
from doorcheck.ui.i18n import mark, tr
from doorcheck.ui.plain import clip, plain_labels, safe_colour
from doorcheck.views import ScanOutcome


@dataclass(frozen=True)
class Look:
    background: str
    symbol: str
    title: str


GOOD = Look("#1b5e20", "\u2714", mark("Welcome"))  # dark green, check mark
CAREFUL = Look("#f9a825", "!", mark("Careful"))  # amber, exclamation mark (dark text)
STOP = Look("#b71c1c", "\u2716", mark("Stop"))  # red, heavy cross
READY = Look("#263238", "\u25a3", mark("Ready"))  # slate, a square like a code

LOOKS = {
    VerdictKind.ADMIT: GOOD,
    VerdictKind.EXIT: Look(GOOD.background, "\u2714", mark("Goodbye")),
    VerdictKind.ALREADY_IN: Look(CAREFUL.background, "!", mark("Already in")),
    VerdictKind.NOT_INSIDE: Look(CAREFUL.background, "!", mark("Not checked in")),
    VerdictKind.NOT_ON_LIST: Look(STOP.background, "\u2716", mark("Not on the list")),
    VerdictKind.DEREGISTERED: Look(STOP.background, "\u2716", mark("Deregistered")),
    VerdictKind.DELETED: Look(STOP.background, "\u2716", mark("Not valid")),
    VerdictKind.INVALID_CODE: Look(STOP.background, "\u2716", mark("Not a ticket")),
    VerdictKind.WRONG_MODE: Look(STOP.background, "\u2716", mark("Not at this station")),
    VerdictKind.NOT_RECORDED: Look(STOP.background, "\u2716", mark("Not recorded")),
}


# Why a code was refused (domain.codes), translated where it is shown.
CODE_PROBLEMS = (
    mark("The code is not readable text."),
    mark("The code is far too long to be a ticket."),
    mark("The code is empty."),
    mark("This is not a ticket of this event."),
)


def _text_colour(background: str) -> str:
    return "#111111" if QColor(background).lightness() > 140 else "#ffffff"


class VerdictPanel(QFrame):
    """Shows one outcome, then returns to "ready" after ``hold_ms``."""

    def __init__(
        self, hold_ms: int = 4000, guest_facing: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.guest_facing = guest_facing  # self check-in: words for guests, no staff notes
        self.setObjectName("verdict")
        self.setAccessibleName(tr("Scan result"))
        self.band = QLabel()  # the guest's highlight colour (from their tags), if any
        self.band.setFixedHeight(22)
        self.band.setAccessibleName(tr("Highlight colour"))
        self.symbol = QLabel()
        self.title = QLabel()
        self.detail = QLabel()
        for label, size in ((self.symbol, 96), (self.title, 40), (self.detail, 22)):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            font = label.font()
            font.setPointSize(size)
            font.setBold(label is not self.detail)
            label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.band)
        layout.addStretch(1)
        layout.addWidget(self.symbol)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(hold_ms)
        self._reset.timeout.connect(self.show_ready)
        self.kind: VerdictKind | None = None
        plain_labels(self)  # guest names, notes and codes come from outside
        self.show_ready()
        self._warm_up()

    def _warm_up(self) -> None:
        """Draw every symbol once, off screen, now. The first time a font draws the
        check mark or the cross at this size it looks for a font that has it and
        renders the glyphs: 50-70 ms that would otherwise stall the first scan."""
        image = QImage(256, 256, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        for label in (self.symbol, self.title, self.detail):
            painter.setFont(label.font())
            for look in (*LOOKS.values(), READY):
                painter.drawText(0, 200, f"{look.symbol} {tr(look.title)}")
        painter.end()

    def show_ready(self, hint: str | None = None) -> None:
        self.kind = None
        self._paint(READY, tr("Ready"), hint or tr("Hold your ticket to the camera"))

    def show_outcome(self, outcome: ScanOutcome) -> None:
        kind = outcome.verdict.kind
        self.kind = kind
        look = LOOKS[kind]
        guest = outcome.verdict.guest
        lines = detail_lines(outcome, guest_facing=self.guest_facing)
        self._paint(
            look, tr(look.title), "\n".join(lines), guest.highlight_color if guest else None
        )
        self.setAccessibleDescription(f"{tr(look.title)}. {' '.join(lines)}")
        self._reset.start()

    def _paint(self, look: Look, title: str, detail: str, highlight: str | None = None) -> None:
        colour = _text_colour(look.background)
        self.setStyleSheet(
            f"#verdict {{ background: {look.background}; border-radius: 12px; }}"
            f" QLabel {{ color: {colour}; background: transparent; }}"
        )
        # The guest's colour comes from outside: only QColor's rewriting of a plain
        # colour reaches the style sheet, never the text the server sent.
        band = safe_colour(highlight)
        self.band.setVisible(band is not None)
        if band:
            self.band.setStyleSheet(f"background: {band}; border-radius: 6px;")
        self.symbol.setText(look.symbol)
        self.title.setText(title)
        self.detail.setText(detail)


def detail_lines(outcome: ScanOutcome, guest_facing: bool = False) -> list[str]:
    """The words under the title: who, and what the steward (or, at a self check-in,
    the guest) needs to know."""
    verdict = outcome.verdict
    guest = verdict.guest
    name = guest.display_name if guest else ""
    if guest is not None and guest.companion_ids and verdict.kind == VerdictKind.ADMIT:
        name += f"  +{len(guest.companion_ids)}"
    lines: list[str] = []
    match verdict.kind:
        case VerdictKind.ADMIT | VerdictKind.EXIT:
            lines.append(name)
            if guest is not None:
                extra = ("company",) if guest_facing else ("company", "notes")
                lines += [t for t in (guest.field_text(key) for key in extra) if t]
        case VerdictKind.ALREADY_IN:
            when = verdict.since.astimezone().strftime("%H:%M") if verdict.since else "?"
            if verdict.station:
                lines += [name, tr("checked in at {time} at {station}").format(
                    time=when, station=verdict.station)]  # fmt: skip
            else:
                lines += [name, tr("checked in at {time}").format(time=when)]
        case VerdictKind.NOT_INSIDE:
            lines += [name, tr("is not checked in")]
        case VerdictKind.DEREGISTERED:
            lines += [name, tr("has deregistered")]
        case VerdictKind.DELETED:
            lines.append(tr("This ticket was removed from the guest list"))
        case VerdictKind.NOT_ON_LIST:
            lines.append(tr("Code {code} is not on the guest list").format(code=outcome.code))
        case VerdictKind.INVALID_CODE:
            lines.append(
                tr(outcome.problem) if outcome.problem else tr("This is not a ticket code")
            )
        case VerdictKind.WRONG_MODE:
            if verdict.action_refused == Action.CHECK_OUT:
                lines += [name, tr("This station only checks guests in.")]
            else:
                lines += [name, tr("This station only checks guests out.")]
        case VerdictKind.NOT_RECORDED:
            lines.append(tr("The laptop's disk is full: nothing was recorded. Free some space."))
    if outcome.main_guest is not None:
        lines.append(tr("companion of {name}").format(name=outcome.main_guest.display_name))
    if guest_facing and verdict.kind not in (VerdictKind.ADMIT, VerdictKind.EXIT):
        lines.append(tr("Please ask a member of staff."))
    return [clip(line) for line in lines]
