"""Validating a scanned or typed code before it is looked up."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CODE_LENGTH = 256


@dataclass(frozen=True, slots=True)
class CodeCheck:
    code: str | None  # the cleaned code, or None when it is not a ticket code
    problem: str = ""  # why not, in words for the steward


def clean_code(raw: str | bytes, pattern: str | None = None) -> CodeCheck:
    """Bounded length, control and formatting characters removed, pattern checked.

    Bytes that are not UTF-8 (a scanner on the wrong code page) are refused with a
    message instead of being guessed at.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return CodeCheck(None, "The code is not readable text.")
    if len(raw) > MAX_CODE_LENGTH * 4:
        return CodeCheck(None, "The code is far too long to be a ticket.")
    # Cc: control characters (scanner prefixes, stray Enter); Cf: invisible formatting
    # such as right-to-left marks, which would make a code look right and not match.
    kept = "".join(c for c in raw if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    if not kept:
        return CodeCheck(None, "The code is empty.")
    if len(kept) > MAX_CODE_LENGTH:
        return CodeCheck(None, "The code is far too long to be a ticket.")
    if pattern and not re.fullmatch(pattern, kept):
        return CodeCheck(None, "This is not a ticket of this event.")
    return CodeCheck(kept)
