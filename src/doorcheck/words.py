"""Marking texts for translation below the UI layer, without importing Qt.

``mark`` returns its text unchanged; ``phrase`` keeps a text's template and its
values apart. ``tools/translations.py`` collects every text passed to either, and
the window translates them with ``ui.i18n.tr`` and ``ui.i18n.say`` where they are
shown; elsewhere (the command line, logs) they read as English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def mark(text: str) -> str:
    return text


@dataclass(frozen=True)
class Phrase:
    """A text with values in it, translated as a whole where it is shown.

    The template is what translators see ("{count} empty rows skipped"); the values
    go in after translation, so a language can put them in another order.
    """

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.values)


def phrase(template: str, **values: object) -> Phrase:
    return Phrase(template, values)
