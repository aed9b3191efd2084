"""Pushing profiles to a destination (Event Cadence) from the door's durable queue.

Each round queues a profile for every new check-in and walk-in (in the store, in
one transaction with the position reached), then sends what waits, oldest first.
A failure worth retrying stops the round and the next one comes after a growing
pause; a refused key stops sending until the settings change, and says so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from doorcheck.connectors.base import SourceError
from doorcheck.connectors.eventcadence import (
    DESTINATION,
    CadencePusher,
    CadenceSettings,
    profile,
)
from doorcheck.domain.guest import Guest
from doorcheck.store.local import LocalStore
from doorcheck.sync.health import WorkerHealth
from doorcheck.sync.station_sync import Backoff
from doorcheck.sync.worker import Background
from doorcheck.views import ForwardStatus
from doorcheck.words import Phrase

log = logging.getLogger(__name__)
SETTINGS_KEY = "forward.eventcadence"


class Forwarder(Background):
    thread_name = "doorcheck-forward"
    worker = "forward"
    steps_when_stopped = True  # blocked, it still queues and counts what waits

    def __init__(
        self,
        store: LocalStore,
        pusher: CadencePusher,
        *,
        interval: float = 10.0,
        backoff: Backoff | None = None,
        on_status: Callable[[ForwardStatus], None] | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
    ) -> None:
        super().__init__(interval, backoff=backoff, state=store, on_health=on_health)
        self.store = store
        self.pusher = pusher
        self._on_status = on_status
        self._retry_in: float | None = None
        self.last_error: str | Phrase | None = None
        self.blocked: str | Phrase | None = None

    def step(self) -> None:
        self.run_once()

    def delay(self) -> float:
        return self._retry_in if self._retry_in is not None else self.interval

    def run_once(self) -> ForwardStatus:
        settings = self.pusher.settings
        self.store.enqueue_forwards(DESTINATION, lambda guest: _payload(guest, settings))
        self._retry_in = None
        if self.blocked is None:
            self._send()
        else:
            self.still_failing()
        counts = self.store.forward_counts(DESTINATION)
        status = ForwardStatus(counts.get("done", 0), counts.get("pending", 0),
                               counts.get("held", 0), self.blocked or self.last_error,
                               self.blocked is not None)  # fmt: skip
        if self._on_status is not None:
            self._on_status(status)
        return status

    def _send(self) -> None:
        for forward_id, payload in self.store.pending_forwards(DESTINATION):
            try:
                self.pusher.push(json.loads(payload))
            except SourceError as exc:
                self.last_error = exc.words
                self.store.answer_forward(forward_id, "pending", exc.message)
                if not exc.retryable:
                    # The key: every profile would be refused. Nothing is sent (or
                    # lost) until the settings change and the forwarder starts again.
                    self.blocked = exc.words
                    self.fail(exc.words, stopped=True)
                    return
                self.fail(exc.words)
                self._retry_in = self.health.retry_in
                return
            self.store.answer_forward(forward_id, "done")
            self.last_error = None
            self.backoff.reset()


def _payload(guest: Guest, settings: CadenceSettings) -> str:
    return json.dumps(profile(guest, settings.groups), ensure_ascii=False)


def load_settings(store: LocalStore) -> CadenceSettings | None:
    text = store.get_setting(SETTINGS_KEY)
    return CadenceSettings.from_json(text) if text else None
