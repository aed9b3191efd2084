"""The big answer a steward reads from two metres: colour, symbol and words.

Colour-blind safe: every verdict differs in symbol (check, cross, exclamation) and
words, not colour alone, and the three colours differ in brightness too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from doorcheck.domain.verdict import VerdictKind
from doorcheck.ui.i18n import shown, tr
from doorcheck.ui.plain import clip, plain_labels, safe_colour
from doorcheck.views import ScanOutcome
from doorcheck.wording import verdict_lines, verdict_title


@dataclass(frozen=True)
class Look:
    background: str
    symbol: str


GOOD = Look("#1b5e20", "\u2714")  # dark green, check mark
CAREFUL = Look("#f9a825", "!")  # amber, exclamation mark (dark text)
STOP = Look("#b71c1c", "\u2716")  # red, heavy cross
READY = Look("#263238", "\u25a3")  # slate, a square like a code

# Colour and symbol of each verdict; its words come from doorcheck.wording.
LOOKS = {
    VerdictKind.ADMIT: GOOD,
    VerdictKind.EXIT: GOOD,
    VerdictKind.ALREADY_IN: CAREFUL,
    VerdictKind.NOT_INSIDE: CAREFUL,
    VerdictKind.NOT_ON_LIST: STOP,
    VerdictKind.DEREGISTERED: STOP,
    VerdictKind.DELETED: STOP,
    VerdictKind.INVALID_CODE: STOP,
    VerdictKind.WRONG_MODE: STOP,
    VerdictKind.NOT_RECORDED: STOP,
}


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
            for kind, look in (*LOOKS.items(), (None, READY)):
                painter.drawText(0, 200, f"{look.symbol} {_title(kind)}")
        painter.end()

    def show_ready(self, hint: str | None = None) -> None:
        self.kind = None
        self._paint(READY, tr("Ready"), hint or tr("Hold your ticket to the camera"))

    def show_outcome(self, outcome: ScanOutcome) -> None:
        kind = outcome.verdict.kind
        self.kind = kind
        title = _title(kind)
        guest = outcome.verdict.guest
        lines = detail_lines(outcome, guest_facing=self.guest_facing)
        self._paint(LOOKS[kind], title, "\n".join(lines), guest.highlight_color if guest else None)
        self.setAccessibleDescription(f"{title}. {' '.join(lines)}")
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


def _title(kind: VerdictKind | None) -> str:
    return tr(verdict_title(kind)) if kind is not None else tr("Ready")


def detail_lines(outcome: ScanOutcome, guest_facing: bool = False) -> list[str]:
    """The words under the title, in the window's language: the door's words
    translated, names and notes as they are."""
    lines = verdict_lines(outcome, guest_facing=guest_facing)
    return [clip(shown(line)) for line in lines]
