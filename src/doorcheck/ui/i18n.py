"""English and German through Qt's translations, following the laptop's language.

Every text a steward reads goes through ``tr``; ``tools/translations.py`` collects
them into ``resources/i18n/doorcheck_de.ts`` and compiles the ``.qm`` file loaded
here. Texts with ``{placeholders}`` are formatted after translation.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from doorcheck.resources import resource
from doorcheck.words import Phrase, mark

__all__ = ["install_language", "mark", "say", "shown", "tr"]

CONTEXT = "doorcheck"
SUPPORTED = ("en", "de")


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def say(text: str | Phrase) -> str:
    """A marked text or a phrase, in the window's language (thread-safe, as is tr);
    a phrase inside a phrase is translated too."""
    if isinstance(text, Phrase):
        values = {k: say(v) if isinstance(v, Phrase) else v for k, v in text.values.items()}
        return tr(text.template).format(**values)
    return tr(text)


def shown(text: str | Phrase) -> str:
    """The door's words (a phrase) in the window's language; a plain text beside them
    is data (a guest's name, a server's own message, an error met) shown as it is."""
    return say(text) if isinstance(text, Phrase) else text


def catalogue(language: str) -> Path:
    return resource("i18n", f"doorcheck_{language}.qm")


def chosen_language(setting: str, system: QLocale | None = None) -> str:
    """ "system" means the laptop's language if we have it, else English."""
    if setting in SUPPORTED:
        return setting
    name = (system or QLocale.system()).name().split("_")[0]
    return name if name in SUPPORTED else "en"


_installed: list[QTranslator] = []


def install_language(app: QCoreApplication, setting: str) -> str:
    """Load the translations for ``setting`` (replacing any loaded before); returns
    the language used. Widgets made afterwards speak it."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    language = chosen_language(setting)
    if language == "en":
        return language
    ours = QTranslator(app)
    if ours.load(str(catalogue(language))):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)  # Qt's own words: OK, Cancel, the colour dialog
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return language
