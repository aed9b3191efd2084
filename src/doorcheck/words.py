"""Marking texts for translation below the UI layer, without importing Qt.

``mark`` returns its text unchanged; ``tools/translations.py`` collects every text
passed to it, and the window translates it with ``ui.i18n.tr`` where it is shown.
"""

from __future__ import annotations


def mark(text: str) -> str:
    return text
