"""Counting the store's guests, changes and arrivals off the GUI thread.

Counting 100,000 guests while a full sync writes takes tens of milliseconds: done on
the GUI thread every two seconds it would make the window stutter, so a worker
thread counts and hands the result on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from doorcheck.background import Background
from doorcheck.store.local import LocalStore, Statistics, StoreStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreSnapshot:
    status: StoreStatus
    statistics: Statistics


class StoreWatcher(Background):
    thread_name = "doorcheck-count"

    def __init__(
        self,
        store: LocalStore,
        on_snapshot: Callable[[StoreSnapshot], None],
        interval: float = 2.0,
    ) -> None:
        super().__init__(interval)
        self.store = store
        self._on_snapshot = on_snapshot

    def snapshot(self) -> StoreSnapshot:
        return StoreSnapshot(*self.store.status_and_statistics())

    def step(self) -> None:
        try:
            snapshot = self.snapshot()
        except SQLAlchemyError as exc:  # a busy or damaged file: say so, keep trying
            log.warning("could not count the store: %s", exc)
            return
        if not self.stopping:
            self._on_snapshot(snapshot)
