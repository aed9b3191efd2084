"""A worker thread that does one step now and then: every ``interval`` seconds, at
once after ``nudge()``, until ``stop()``, which returns once the thread has ended
(so nothing it reports arrives after the window that would show it is gone).

A worker never dies silently: a step that raises is logged, reported as failing
(in words, to ``on_health`` and in the store for `doorcheck status`) and tried
again after a growing pause; the first good step after that clears the report. A
failure that retrying cannot fix (``fail(..., stopped=True)``) ends the retries
until the worker is started again, and its words say what to do.
"""

from __future__ import annotations

import logging
import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from doorcheck.sync.health import StateStore, WorkerHealth, describe, save_health
from doorcheck.words import Phrase

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    """Exponential backoff with full jitter, so many doors do not retry in step."""

    base: float = 1.0
    ceiling: float = 60.0
    failures: int = 0
    rng: Callable[[], float] = random.random

    def next_delay(self) -> float:
        self.failures += 1
        spread = min(self.ceiling, self.base * 2.0 ** (self.failures - 1))
        return float(self.rng()) * spread + 0.2

    def reset(self) -> None:
        self.failures = 0


class Background(ABC):
    thread_name = "doorcheck-worker"
    worker = "worker"  # the name its health is kept under (sync.health.WORKERS)
    # Stopped by a failure retrying cannot fix: wait for stop(), or keep taking steps
    # (a forwarder still counts what waits while it sends nothing).
    steps_when_stopped = False

    def __init__(
        self,
        interval: float,
        *,
        backoff: Backoff | None = None,
        state: StateStore | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
    ) -> None:
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.on_health = on_health
        self.health = WorkerHealth(self.worker)
        self._state = state
        self._state_checked = False  # a failure an earlier run left in the store is cleared
        self._failed_this_round = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
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

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @abstractmethod
    def step(self) -> None:
        """One round of the work (a sync, a count, a push)."""

    def delay(self) -> float:
        """Seconds until the next step, unless nudged."""
        return self.interval

    # -- health ---------------------------------------------------------------------

    def fail(self, words: str | Phrase, *, stopped: bool = False) -> None:
        """Report this round as failed: retried after a growing pause, or (stopped)
        not at all until the worker starts again."""
        self._failed_this_round = True
        retry_in = None if stopped else self.backoff.next_delay()
        if stopped:
            log.warning("%s stopped: %s", self.worker, words)
        else:
            log.warning("%s failing: %s; next try in %.1f s", self.worker, words, retry_in)
        self._report(WorkerHealth(self.worker, words, stopped, retry_in))

    def still_failing(self) -> None:
        """This round changed nothing about a failure already reported."""
        self._failed_this_round = True

    def recovered(self) -> None:
        """A round went well: a failure reported before (here or by an earlier run
        of the program) is over."""
        if self.health.failing is None and self._state_checked:
            return
        self.backoff.reset()
        self._report(WorkerHealth(self.worker))

    def _report(self, health: WorkerHealth) -> None:
        # Kept in the store first: whoever sees ``health`` change finds it there too.
        if self._state is not None:
            try:
                save_health(self._state, health)
                self._state_checked = True
            except Exception as exc:  # the store may be what fails: the report still shows
                log.warning("%s: could not keep its state (%s)", self.worker, describe(exc))
        self.health = health
        if self.on_health is not None:
            self.on_health(health)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._failed_this_round = False
            try:
                self.step()
            except Exception as exc:
                # The kind only: an exception's text may hold a guest's data.
                log.warning("%s: a round failed with %s", self.worker, type(exc).__name__)
                self.fail(describe(exc))
            else:
                if not self._failed_this_round:
                    self.recovered()
            if self.health.stopped and not self.steps_when_stopped:
                self._stop.wait()  # retrying cannot help: wait for stop() (or a restart)
                break
            self._wake.wait(self._next_wait())
            self._wake.clear()

    def _next_wait(self) -> float:
        if self.health.retry_in is not None:
            return max(self.health.retry_in, self.delay())
        return self.delay()
