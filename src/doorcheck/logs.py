"""Where the kiosk writes what happened: rotated logs and crash reports.

Logs go to the platform's log folder (platformdirs; ``DOORCHECK_LOG_DIR`` overrides),
five files of 1 MiB at most. An exception nobody caught, on any thread, leaves a
crash report next to them and a sentence on stderr saying where. Secrets never
reach either: every App Code and session token the program handles is registered
here and masked, whatever message it appears in and however it is percent-encoded
(a key in a query string). Guests are named by id only: exception messages, which
can carry a guest's fields, are scrubbed (``doorcheck.crash``), and email addresses
are masked in every line. The folder and every file in it are the user's alone.
"""

from __future__ import annotations

import logging
import os
import platform
import stat
import sys
import threading
from datetime import datetime
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

import re2

from doorcheck.crash import database_error, exception_words, mask_emails, scrubbed_traceback

LOG_FILE = "doorcheck.log"
CRASH_FOLDER = "crash-reports"
MAX_CRASH_REPORTS = 50  # a crash loop cannot fill the disk; the newest are kept
MAX_LOG_LINE = 10_000  # characters of one message: a server's 10 MB answer is not logged whole
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
MASK = "[secret]"
_secrets: dict[str, Any] = {}  # each secret and its compiled RE2 pattern (no type hints)
_longest_first: list[Any] = []
_registering = threading.Lock()
_installed: list[logging.Handler] = []


def register_secret(value: str | None) -> None:
    """From now on ``value`` is masked in every log line and crash report."""
    global _longest_first
    if not value or len(value) < 4:
        return
    with _registering:  # workers log in on their own threads
        if value in _secrets:
            return
        # RE2: linear time whatever the text, so a long log line cannot stall the door.
        # One small pattern a secret: however many tokens a long day brings, none
        # outgrows RE2's memory budget as one pattern of all of them could.
        _secrets[value] = re2.compile("".join(map(_encodings, value)))
        # Longest first, so a secret that contains another is masked whole; a new
        # list each time, so a thread masking a line meanwhile reads a whole one.
        _longest_first = [_secrets[s] for s in sorted(_secrets, key=len, reverse=True)]


def _encodings(char: str) -> str:
    """A pattern for one character of a secret: as itself, percent-encoded (hex in
    either case), encoded twice, or, for a space, as the ``+`` of a query string."""
    once = "".join(f"%{byte:02x}" for byte in char.encode("utf-8"))
    twice = once.replace("%", "%25")

    def any_case(text: str) -> str:
        return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re2.escape(c) for c in text)

    forms = [re2.escape(char), any_case(once), any_case(twice)]
    if char == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(forms) + ")"


# A query parameter named like a secret, registered or not (a connector that forgot).
_SECRET_PARAMETER = re2.compile(
    r"(?i)([?&](?:api_?key|app_?key|user_?key|access_?token|session_?token|token|"
    r"password|secret)=)[^&#\s\"'<>]+"
)


def redact(text: str) -> str:
    """``text`` with every registered secret masked, in any percent-encoding, every
    query parameter named like a secret masked, and every email address masked."""
    for pattern in _longest_first:
        text = pattern.sub(MASK, text)
    text = _SECRET_PARAMETER.sub(rf"\1{MASK}", text)
    return mask_emails(text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, BaseException):  # log.warning(exc)
            record.msg = database_error(record.msg) or record.msg
        if isinstance(record.args, tuple):
            # A database error handed to a log call keeps its SQL, not its parameters.
            record.args = tuple(
                (database_error(arg) or arg) if isinstance(arg, BaseException) else arg
                for arg in record.args
            )
        text = redact(record.getMessage())  # masked whole, then cut: no half secret stays
        if len(text) > MAX_LOG_LINE:
            text = f"{text[:MAX_LOG_LINE]} [{len(text) - MAX_LOG_LINE} more characters left out]"
        record.msg = text
        record.args = None
        return True


class ScrubbingFormatter(logging.Formatter):
    """A traceback in a log line (``log.exception``) is scrubbed like a crash report."""

    def formatException(self, ei: logging._SysExcInfoType) -> str:  # noqa: N802 - logging's
        kind, value, tb = ei
        if kind is None:
            return ""
        return redact("".join(scrubbed_traceback(kind, value, tb))).rstrip("\n")


def _make_private(path: Path, mode: int) -> None:
    """Tighten a folder or file of ours to the user alone; leave other people's alone
    (a shared folder such as /tmp, with its sticky bit, is never narrowed)."""
    try:
        info = path.stat()
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return
        if info.st_mode & stat.S_ISVTX:
            return
        if stat.S_IMODE(info.st_mode) != mode:
            path.chmod(mode)
    except OSError:
        pass  # gone meanwhile, or a file system without modes: nothing to tighten


def private_folder(folder: Path) -> Path:
    """``folder`` created, or tightened if it exists (an older version left it 0755),
    with every log file, rotated one and crash report in it."""
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    _make_private(folder, PRIVATE_FOLDER)
    for path in folder.glob(f"{LOG_FILE}*"):
        _make_private(path, PRIVATE_FILE)
    crashes = folder / CRASH_FOLDER
    if crashes.is_dir():
        _make_private(crashes, PRIVATE_FOLDER)
        for path in crashes.iterdir():
            _make_private(path, PRIVATE_FILE)
    return folder


def _open_private(path: Path, append: bool, encoding: str | None = "utf-8") -> TextIOWrapper:
    """A text file only the user can read, created so from the start (no window in
    which it is readable by others) and tightened if it existed."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    descriptor = os.open(path, flags, PRIVATE_FILE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, PRIVATE_FILE)
        return os.fdopen(descriptor, "a" if append else "w", encoding=encoding)
    except BaseException:
        os.close(descriptor)
        raise


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Every file it opens, the first and each after a rotation, is the user's alone;
    rotation renames files, which keeps their mode."""

    def _open(self) -> TextIOWrapper:
        return _open_private(Path(self.baseFilename), "a" in self.mode, self.encoding)


def log_dir() -> Path:
    override = os.environ.get("DOORCHECK_LOG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_log_path

    return user_log_path("doorcheck", appauthor=False)


def setup_logging(level: int = logging.WARNING, folder: Path | None = None) -> Path | None:
    """Logs to stderr at ``level`` and to the rotated file at INFO; returns the file,
    or None where the folder cannot be written (the kiosk runs on without it)."""
    folder = folder or log_dir()
    root = logging.getLogger()
    stop_logging()  # called again (commands run in one process): start afresh
    root.setLevel(min(level, logging.INFO))
    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(ScrubbingFormatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    path: Path | None = folder / LOG_FILE
    try:
        private_folder(folder)
        file = PrivateRotatingFileHandler(
            folder / LOG_FILE, maxBytes=1 << 20, backupCount=4, encoding="utf-8"
        )
        file.setFormatter(
            ScrubbingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
        )
        file.setLevel(logging.INFO)
        handlers.append(file)
    except OSError:
        path = None
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _installed.append(handler)
    # httpx logs every request at INFO: useful in the file, noise on the console.
    console.addFilter(lambda record: record.name != "httpx" or record.levelno >= logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its start-up chatter
    install_crash_reports(folder)
    return path


def stop_logging() -> None:
    """Remove and close the handlers setup_logging installed (a command run inside
    another program, such as a test, leaves no handler on a stream that closes)."""
    root = logging.getLogger()
    for old in _installed:
        root.removeHandler(old)
        old.close()
    _installed.clear()


def _drop_oldest_reports(crashes: Path, keep: int) -> None:
    reports = sorted(crashes.glob("crash-*.txt"))  # the names sort by time
    for old in reports[: max(0, len(reports) - keep)]:
        old.unlink(missing_ok=True)


def write_crash_report(
    folder: Path,
    kind: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    thread: str | None = None,
) -> Path | None:
    from doorcheck import __version__

    lines = [
        f"doorcheck {__version__} crashed at {datetime.now().astimezone().isoformat()}\n",
        f"Python {platform.python_version()} on {platform.platform()}\n",
        f"thread: {thread or threading.current_thread().name}\n",
        "\n",
        *scrubbed_traceback(kind, value, tb),
    ]
    crashes = folder / CRASH_FOLDER
    path = crashes / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.txt"
    try:
        private_folder(folder)
        crashes.mkdir(exist_ok=True, mode=PRIVATE_FOLDER)
        _make_private(crashes, PRIVATE_FOLDER)
        _drop_oldest_reports(crashes, MAX_CRASH_REPORTS - 1)
        with _open_private(path, append=False) as report:
            report.write(redact("".join(lines)))
    except OSError:
        return None
    return path


def install_crash_reports(folder: Path) -> None:
    def on_exception(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        path = write_crash_report(folder, kind, value, tb)
        words = exception_words(value)
        logging.getLogger("doorcheck").critical("unexpected error: %s %s", kind.__name__, words)
        where = f" A report is in {path}." if path else ""
        print(f"doorcheck: an unexpected error happened: {kind.__name__}: "
              f"{redact(words)}.{where}", file=sys.stderr)  # fmt: skip

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread else None
        path = write_crash_report(folder, args.exc_type, args.exc_value, args.exc_traceback, name)
        logging.getLogger("doorcheck").critical(
            "thread %s failed: %s %s (report: %s)",
            name,
            args.exc_type.__name__,
            exception_words(args.exc_value),
            path,
        )

    # Only where nobody else (a debugger, a test runner) has put their own hook.
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = on_exception
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = on_thread_exception
