"""Folding text for search: case, accents and letters that do not decompose."""

from __future__ import annotations

import re
import unicodedata

# Letters Unicode does not decompose into base + accent, spelled as people type them
# on a keyboard without them ("gossmann" finds "Gößmann", "lukasz" finds "Łukasz").
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
        "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
        "ı": "i", "ŧ": "t", "ħ": "h",  # noqa: RUF001 - the dotless i is meant
    }
)  # fmt: skip


# Combining marks, removed by one regular expression (a generator over characters
# cost a second per 100,000 guests). These blocks hold every mark a name can carry.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_HAS_SPECIAL = re.compile("[" + "".join(chr(code) for code in _SPECIAL) + "]")


def fold(text: str) -> str:
    """Lower-case, accents removed, special letters spelled out."""
    if text.isascii():
        return text.casefold()
    if _HAS_SPECIAL.search(text):
        text = text.translate(_SPECIAL)
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
