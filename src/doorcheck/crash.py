"""What a crash report and the log may keep of an exception: where it happened, never
what it was holding.

A traceback's frames (file, line, function, source line) are code, so they stay. An
exception's message is data: SQLAlchemy writes the bound parameters of a statement
into it (a guest's name and email), and any ``ValueError(f"... {guest.name}")`` does the
same. So the message is kept only where Python itself writes it from code (an
``AttributeError`` names an attribute, an ``OSError`` says what the system refused);
a database error keeps its SQL and the driver's first line, without parameters; every
other message is withheld, with its length, and the guest is found by the id the log
names. Local variables are never formatted.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Iterator
from types import TracebackType

# Messages Python writes from names in the code, not from values the code handles.
CODE_MESSAGES: tuple[type[BaseException], ...] = (
    AttributeError,
    NameError,
    ImportError,
    NotImplementedError,
    RecursionError,
    MemoryError,
    ZeroDivisionError,
    KeyboardInterrupt,
)
WITHHELD = "[message withheld: {length} characters that may name a guest]"
MAX_SQL = 2000  # characters of a failed statement kept: enough to find it in the code
MAX_CHAIN = 20  # causes and contexts followed: a cycle or a very long chain ends here
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def mask_emails(text: str) -> str:
    """Whatever slipped through by other ways: an address is personal data."""
    return EMAIL.sub("[email]", text)


def database_error(value: BaseException) -> str | None:
    """SQLAlchemy's errors without their parameters: the driver's error and the SQL."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")  # imported only where used
    if sqlalchemy_exc is None or not isinstance(value, sqlalchemy_exc.StatementError):
        return None
    original = value.orig
    cause = ""
    if original is not None:
        # PostgreSQL's DETAIL line repeats the values ("Key (email)=(...)"): first line only.
        first = str(original).strip().splitlines()[:1]
        cause = f"{type(original).__name__}: {first[0] if first else ''} "
    statement = " ".join(str(value.statement or "").split())[:MAX_SQL]
    return f"{cause}[SQL: {statement}] [parameters withheld]"


def exception_words(value: BaseException) -> str:
    """The part of an exception's message a crash report or the log may keep."""
    database = database_error(value)
    if database is not None:
        return mask_emails(database)
    if isinstance(value, OSError) and value.strerror:
        return f"[Errno {value.errno}] {value.strerror}"
    if isinstance(value, CODE_MESSAGES):
        return mask_emails(str(value))
    try:
        text = str(value)
    except Exception:  # a broken __str__ must not break the report
        text = ""
    return WITHHELD.format(length=len(text)) if text else ""


def _chain(value: BaseException) -> Iterator[tuple[BaseException, str]]:
    """Oldest first, each with the sentence Python puts after it, as ``traceback`` does."""
    found: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = value
    link = ""
    while current is not None and id(current) not in seen and len(found) < MAX_CHAIN:
        seen.add(id(current))
        found.append((current, link))
        if current.__cause__ is not None:
            link = "\nThe above exception was the direct cause of the following exception:\n\n"
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link = "\nDuring handling of the above exception, another exception occurred:\n\n"
            current = current.__context__
        else:
            current = None
    yield from reversed(found)


def _heading(value: BaseException) -> str:
    kind = type(value)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    words = exception_words(value)
    return f"{name}: {words}\n" if words else f"{name}\n"


def scrubbed_traceback(
    kind: type[BaseException], value: BaseException | None, tb: TracebackType | None
) -> list[str]:
    """Lines like ``traceback.format_exception``'s, with every message scrubbed and
    no local variables."""
    if value is None:
        return [f"{kind.__qualname__}\n"]
    if tb is not None and value.__traceback__ is None:
        value = value.with_traceback(tb)
    lines: list[str] = []
    following = ""
    for exception, link in _chain(value):
        lines.append(following)
        if exception.__traceback__ is not None:
            lines.append("Traceback (most recent call last):\n")
            lines += traceback.format_tb(exception.__traceback__)
        lines.append(_heading(exception))
        if isinstance(exception, BaseExceptionGroup):
            for number, inner in enumerate(exception.exceptions[:MAX_CHAIN], 1):
                lines.append(f"  +- {number}: {_heading(inner)}")
        following = link
    return [line for line in lines if line]
