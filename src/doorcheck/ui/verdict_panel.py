"""The big answer a steward reads from two metres: colour, symbol and words.

Colour-blind safe: every verdict differs in symbol (check, cross, exclamation) and
words, not colour alone, and the three colours differ in brightness too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter
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
# An admitted guest a steward must not miss (domain.attention): deep orange, not the
# yellow of "already in", with a flag; it stays until a steward acknowledges it.
ATTENTION = Look("#e65100", "\u2691")
# The keys that acknowledge an answer a steward must not miss (and a tap does).
ACKNOWLEDGE_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space})

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
    """Shows one outcome, then returns to "ready" after ``hold_ms``.

    An admitted guest with an attention text is the exception: the amber answer
    stays until a steward acknowledges it (Enter, or a tap on it), and answers to
    the scans that come meanwhile wait behind it, each shown in turn, so neither the
    flag nor a later "not on the list" is missed in a queue. At a guest-facing door
    nobody acknowledges: the guest is asked to see staff, and the answer goes.
    """

    acknowledged = Signal()

    def __init__(
        self,
        hold_ms: int = 4000,
        guest_facing: bool = False,
        parent: QWidget | None = None,
        *,
        hide_names: bool = False,
    ) -> None:
        super().__init__(parent)
        self.guest_facing = guest_facing  # self check-in: words for guests, no staff notes
        self.hide_names = hide_names  # initials only (the privacy mode "hide names")
        self.hold_ms = hold_ms
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # focused to take Enter, never tabbed to
        self.setObjectName("verdict")
        self.setAccessibleName(tr("Scan result"))
        self.band = QLabel()  # the guest's highlight colour (from their tags), if any
        self.band.setFixedHeight(22)
        self.band.setAccessibleName(tr("Highlight colour"))
        self.symbol = QLabel()
        self.title = QLabel()
        self.detail = QLabel()
        # What a steward must not miss, boxed, in the answer's own colour.
        self.attention = QLabel()
        self.attention.setAccessibleName(tr("Attention"))
        self.attention.setStyleSheet(
            "background: #fff3e0; color: #bf360c; border-radius: 10px; padding: 10px;"
        )
        self.hint = QLabel()  # how to go on: "Press Enter or tap to continue"
        sizes = ((self.symbol, 96), (self.title, 40), (self.detail, 22), (self.attention, 24),
                 (self.hint, 16))  # fmt: skip
        for label, size in sizes:
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            font = label.font()
            font.setPointSize(size)
            font.setBold(label not in (self.detail, self.hint))
            label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.band)
        layout.addStretch(1)
        layout.addWidget(self.symbol)
        layout.addWidget(self.title)
        layout.addWidget(self.attention)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        # The answer a steward has not acknowledged yet, and those waiting behind it.
        self.awaiting: ScanOutcome | None = None
        self.queued: list[ScanOutcome] = []
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
            for kind, look in (*LOOKS.items(), (None, READY), (None, ATTENTION)):
                painter.drawText(0, 200, f"{look.symbol} {_title(kind)}")
        painter.end()

    def show_ready(self, hint: str | None = None) -> None:
        """Back to "ready", or to the next answer waiting behind an acknowledged one."""
        if self.queued:
            self._show(self.queued.pop(0))
            return
        self.kind = None
        self.awaiting = None
        self._reset.stop()
        self.attention.hide()
        self.hint.hide()
        self.symbol.show()
        if self.guest_facing and hint is None:
            # What a guest reads from a step away, in the laptop's language.
            self._paint(READY, tr("Hold the code on your ticket up to the camera"),
                        tr("Your answer appears here."))  # fmt: skip
            return
        self._paint(READY, tr("Ready"), hint or tr("Hold your ticket to the camera"))

    def show_outcome(self, outcome: ScanOutcome) -> None:
        if self.awaiting is not None:
            self.queued.append(outcome)  # the flag stays up: this one waits its turn
            self._say_waiting()
            return
        self._show(outcome)

    def acknowledge(self) -> bool:
        """A steward has seen the answer (Enter or a tap): on to the next one waiting,
        or to "ready". False when there was nothing to acknowledge."""
        if self.awaiting is None and not self.queued:
            return False
        self.awaiting = None
        self.acknowledged.emit()
        self.show_ready()
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.acknowledge():
            super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if not (Qt.Key(event.key()) in ACKNOWLEDGE_KEYS and self.acknowledge()):
            super().keyPressEvent(event)

    def _show(self, outcome: ScanOutcome) -> None:
        kind = outcome.verdict.kind
        self.kind = kind
        guest = outcome.verdict.guest
        lines = detail_lines(outcome, guest_facing=self.guest_facing, hide_names=self.hide_names)
        sticky = outcome.needs_attention and not self.guest_facing
        look = ATTENTION if outcome.needs_attention else LOOKS[kind]
        title = tr("Attention") if sticky else _title(kind)
        highlight = guest.highlight_color if guest else None
        self._paint(look, title, "\n".join(lines), highlight)
        # The flag goes into the title: the big symbol's room is the attention text's.
        self.symbol.setVisible(not sticky)
        if sticky:
            self.title.setText(f"{ATTENTION.symbol} {title}")
        self.attention.setVisible(sticky)
        if sticky:
            self.attention.setText("\n".join(clip(text) for text in outcome.attention))
            self.awaiting = outcome
            self._reset.stop()
            self._say_waiting()
            self.setFocus()  # Enter acknowledges it
        else:
            self.hint.setVisible(bool(self.queued))
            if self.queued:
                self._say_waiting()
            self._reset.start()
        said = [title, *([*outcome.attention] if sticky else []), *lines]
        self.setAccessibleDescription(". ".join(said))

    def _say_waiting(self) -> None:
        waiting = len(self.queued)
        if waiting and self.awaiting is not None:
            text = tr("Answers waiting behind this one: {count}. Press Enter or tap for the next.")
            self.hint.setText(text.format(count=waiting))
        elif self.awaiting is not None:
            self.hint.setText(tr("Press Enter or tap to continue"))
        else:
            self.hint.setText(tr("Answers waiting: {count}").format(count=waiting))
        self.hint.setVisible(True)

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


def detail_lines(
    outcome: ScanOutcome, guest_facing: bool = False, hide_names: bool = False
) -> list[str]:
    """The words under the title, in the window's language: the door's words
    translated, names and notes as they are (initials with ``hide_names``)."""
    lines = verdict_lines(outcome, guest_facing=guest_facing, hide_names=hide_names)
    return [clip(shown(line)) for line in lines]
