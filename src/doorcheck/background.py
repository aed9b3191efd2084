"""A worker thread that does one step now and then: every ``interval`` seconds, at
once after ``nudge()``, until ``stop()``, which returns once the thread has ended
(so nothing it reports arrives after the window that would show it is gone)."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod


class Background(ABC):
    thread_name = "doorcheck-worker"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def nudge(self) -> None:
        """Something changed: take the next step now rather than at the next tick."""
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @abstractmethod
    def step(self) -> None:
        """One round of the work (a sync, a count, a push)."""

    def delay(self) -> float:
        """Seconds until the next step, unless nudged."""
        return self.interval

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._wake.wait(self.delay())
            self._wake.clear()
