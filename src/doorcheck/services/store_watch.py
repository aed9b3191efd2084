"""Counting the store's guests, changes and arrivals off the GUI thread.

Counting 100,000 guests while a full sync writes takes tens of milliseconds: done on
the GUI thread every two seconds it would make the window stutter, so a worker
thread counts and hands the result on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from doorcheck.store.local import LocalStore
from doorcheck.sync.health import WorkerHealth
from doorcheck.sync.worker import Background
from doorcheck.views import Statistics, StoreStatus


@dataclass(frozen=True)
class StoreSnapshot:
    status: StoreStatus
    statistics: Statistics


class StoreWatcher(Background):
    thread_name = "doorcheck-count"
    worker = "count"

    def __init__(
        self,
        store: LocalStore,
        on_snapshot: Callable[[StoreSnapshot], None],
        interval: float = 2.0,
        on_health: Callable[[WorkerHealth], None] | None = None,
    ) -> None:
        super().__init__(interval, state=store, on_health=on_health)
        self.store = store
        self._on_snapshot = on_snapshot

    def snapshot(self) -> StoreSnapshot:
        return StoreSnapshot(*self.store.status_and_statistics())

    def step(self) -> None:
        # A busy or damaged file raises: the worker reports it and keeps trying.
        snapshot = self.snapshot()
        if not self.stopping:
            self._on_snapshot(snapshot)
