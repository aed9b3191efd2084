"""Where the kiosk writes what happened: rotated logs and crash reports.

Logs go to the platform's log folder (platformdirs; ``DOORCHECK_LOG_DIR`` overrides),
five files of 1 MiB at most. An exception nobody caught, on any thread, leaves a
crash report next to them and a sentence on stderr saying where. Secrets never
reach either: every App Code and session token the program handles is registered
here and masked, whatever message it appears in.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import threading
import traceback
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

LOG_FILE = "doorcheck.log"
MASK = "[secret]"
_secrets: set[str] = set()
_installed: list[logging.Handler] = []


def register_secret(value: str | None) -> None:
    """From now on ``value`` is masked in every log line and crash report."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = redact(record.getMessage())
            record.args = None
        return True


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
    for old in _installed:  # called again (commands run in one process): start afresh
        root.removeHandler(old)
        old.close()
    _installed.clear()
    root.setLevel(min(level, logging.INFO))
    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    path: Path | None = folder / LOG_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        file = RotatingFileHandler(
            folder / LOG_FILE, maxBytes=1 << 20, backupCount=4, encoding="utf-8"
        )
        file.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
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


def write_crash_report(
    folder: Path,
    kind: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    thread: str | None = None,
) -> Path | None:
    from doorcheck import __version__

    lines = [
        f"doorcheck {__version__} crashed at {datetime.now().astimezone().isoformat()}",
        f"Python {platform.python_version()} on {platform.platform()}",
        f"thread: {thread or threading.current_thread().name}",
        "",
        *traceback.format_exception(kind, value, tb),
    ]
    path = folder / "crash-reports" / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.txt"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redact("\n".join(lines)), encoding="utf-8")
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
        logging.getLogger("doorcheck").critical("unexpected error: %s", value, exc_info=False)
        where = f" A report is in {path}." if path else ""
        print(f"doorcheck: an unexpected error happened: {redact(str(value))}.{where}",
              file=sys.stderr)  # fmt: skip

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread else None
        path = write_crash_report(folder, args.exc_type, args.exc_value, args.exc_traceback, name)
        logging.getLogger("doorcheck").critical(
            "thread %s failed: %s (report: %s)", name, args.exc_value, path
        )

    # Only where nobody else (a debugger, a test runner) has put their own hook.
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = on_exception
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = on_thread_exception
