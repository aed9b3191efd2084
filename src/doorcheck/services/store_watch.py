"""Counting the store's guests, changes and arrivals off the GUI thread.

Counting 100,000 guests while a full sync writes takes tens of milliseconds: done on
the GUI thread every two seconds it would make the window stutter, so a worker
thread counts and hands the result on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from doorcheck.store.local import LocalStore, Statistics, StoreStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreSnapshot:
    status: StoreStatus
    statistics: Statistics


class StoreWatcher:
    def __init__(
        self,
        store: LocalStore,
        on_snapshot: Callable[[StoreSnapshot], None],
        interval: float = 2.0,
    ) -> None:
        self.store = store
        self.interval = interval
        self._on_snapshot = on_snapshot
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> StoreSnapshot:
        return StoreSnapshot(self.store.status(), self.store.statistics())

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="doorcheck-count", daemon=True)
            self._thread.start()

    def nudge(self) -> None:
        """Something changed (a scan): count again now rather than at the next tick."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Returns once the thread has ended, so no result arrives after the window
        that would show it is gone."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                snapshot = self.snapshot()
            except SQLAlchemyError as exc:  # a busy or damaged file: say so, keep trying
                log.warning("could not count the store: %s", exc)
            else:
                if not self._stop.is_set():
                    self._on_snapshot(snapshot)
            self._wake.wait(self.interval)
            self._wake.clear()
