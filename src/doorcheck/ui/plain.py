"""Texts from outside shown as what they are: plain text, clipped, in safe colours.

Guest fields, station and event names, server, connector and camera error texts and
file previews come from outside. Qt guesses a QLabel's, a tooltip's and a message
box's format (``Qt.mightBeRichText``): a guest named ``<img src=/local/file>`` would
load a local file, a styled "VIP OK" would show on a Deregistered screen. So every
label here is plain text (``plain_labels``), a tooltip is converted from plain text,
and a colour from outside is checked and rewritten by QColor before it reaches a
style sheet. A label whose rich text we build ourselves escapes every outside part
and is marked with ``RICH``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtGui import Qt as QtText
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

RICH = "doorcheckOwnRichText"  # a property: this label's rich text is ours, escaped
MAX_SHOWN = 300  # characters of one outside text on screen: two metres away, more is noise
MAX_TOOLTIP = 1000  # characters of an error in a tooltip, read up close
MAX_WARNING = 2000  # characters of a warning box's text
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_COLOUR_NAME = re.compile(r"[a-z]{3,20}")  # "red", "gold", "lightgreen": letters only


# Line breaks, tabs and other controls, and the marks that reorder text on screen
# (a name with RIGHT-TO-LEFT OVERRIDE would show its words backwards).
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """One line of an outside text as shown: controls and reordering marks become
    spaces, at most ``limit`` characters, an ellipsis where some were left out."""
    text = _UNSHOWN.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def plain_labels(root: QWidget) -> None:
    """Every label under ``root`` (and ``root`` itself, if a label) shows plain text,
    but those marked ``RICH``. Called at the end of each screen's construction, so
    the labels a form layout makes are covered too."""
    labels = root.findChildren(QLabel)
    if isinstance(root, QLabel):
        labels.append(root)
    for label in labels:
        if not label.property(RICH):
            label.setTextFormat(Qt.TextFormat.PlainText)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally. Qt renders a tooltip as rich text
    whenever it looks like it (``mightBeRichText``): such a text is handed over
    converted, every ``<`` and ``&`` escaped; any other as it is. "" removes it."""
    text = clip(text, MAX_TOOLTIP)
    if not QtText.mightBeRichText(text):
        return text
    return QtText.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def safe_colour(value: str | None) -> str | None:
    """A colour from outside as ``#rrggbb`` written by QColor, or None where it is not
    plainly a colour: ``#rgb``, ``#rrggbb`` or a colour's name in lower-case letters."""
    if value is None:
        return None
    value = value.strip()
    if _HEX_COLOUR.fullmatch(value) or (
        _COLOUR_NAME.fullmatch(value) and QColor.isValidColorName(value)
    ):
        return QColor(value).name()
    return None


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A warning box whose text, often from outside (a file name, a server's answer),
    shows as plain text."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, clip(text, MAX_WARNING), parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def ask(title: str, text: str, parent: QWidget | None = None) -> bool:
    """A yes-or-no question to staff, in plain text; No unless Yes is chosen."""
    box = QMessageBox(QMessageBox.Icon.Question, title, clip(text, MAX_WARNING), parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
