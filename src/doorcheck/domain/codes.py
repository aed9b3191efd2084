"""Validating a scanned or typed code before it is looked up."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import re2

log = logging.getLogger(__name__)

MAX_CODE_LENGTH = 256
# A station's accessCodePattern longer than this is not used (a ticket format fits
# in far less); RE2 also caps the memory a compiled pattern may take.
MAX_PATTERN_LENGTH = 1000
_PATTERN_MEMORY = 8 << 20


@lru_cache(maxsize=8)
def code_pattern(pattern: str) -> Any | None:
    """The station's pattern compiled with RE2, which matches in time linear in the
    code's length (a backtracking engine takes 44 s of CPU on ``^(a+)+$``); None,
    logged once, when RE2 cannot use it (too long, back-references, look-around).
    Then codes are not pre-checked: the guest list still decides every scan."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        log.warning("the station's access code pattern is too long and is not used")
        return None
    options = re2.Options()
    options.log_errors = False  # RE2 would write its own complaints to stderr
    options.max_mem = _PATTERN_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        log.warning("the station's access code pattern is not used: %s", exc)
        return None


class InvalidCode(StrEnum):
    """Why a scanned or typed code is not a ticket code (doorcheck.wording words it)."""

    NOT_TEXT = "notText"  # bytes that are not UTF-8
    TOO_LONG = "tooLong"  # longer than any ticket code
    EMPTY = "empty"  # nothing left once control and formatting characters are gone
    WRONG_EVENT = "wrongEvent"  # does not match the station's access code pattern


@dataclass(frozen=True, slots=True)
class CodeCheck:
    code: str | None  # the cleaned code, or None when it is not a ticket code
    invalid: InvalidCode | None = None  # why not


def clean_code(raw: str | bytes, pattern: str | None = None) -> CodeCheck:
    """Bounded length, control and formatting characters removed, pattern checked.

    Bytes that are not UTF-8 (a scanner on the wrong code page) are refused with a
    reason instead of being guessed at.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return CodeCheck(None, InvalidCode.NOT_TEXT)
    if len(raw) > MAX_CODE_LENGTH * 4:
        return CodeCheck(None, InvalidCode.TOO_LONG)
    # Cc: control characters (scanner prefixes, stray Enter); Cf: invisible formatting
    # such as right-to-left marks, which would make a code look right and not match.
    kept = "".join(c for c in raw if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    if not kept:
        return CodeCheck(None, InvalidCode.EMPTY)
    if len(kept) > MAX_CODE_LENGTH:
        return CodeCheck(None, InvalidCode.TOO_LONG)
    compiled = code_pattern(pattern) if pattern else None
    if compiled is not None and compiled.fullmatch(kept) is None:
        return CodeCheck(None, InvalidCode.WRONG_EVENT)
    return CodeCheck(kept)
