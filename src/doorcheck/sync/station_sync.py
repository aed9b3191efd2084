"""Keeping a door's store in step with the station server, on a worker thread.

A round uploads waiting changes first, then pulls: the full list once, then only the
changes since the server's last ``dateTime``. Uploading first (as libpretixsync does)
means a pull never brings back a state older than this door's own changes; the
store also lays still-pending changes over whatever it pulls.

The station sync has no Qt in it: the GUI wraps it and turns ``on_status`` into a signal.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from doorcheck.protocol.errors import (
    InvalidSessionError,
    StationError,
    TooManyDevicesError,
    TooManyLoginAttemptsError,
)
from doorcheck.protocol.liststream import WireGuest
from doorcheck.protocol.wire import ChangeOutcome
from doorcheck.station.client import StationClient
from doorcheck.station.writer import ChangeWriter
from doorcheck.store.local import LocalStore
from doorcheck.sync.health import WorkerHealth
from doorcheck.sync.worker import Background
from doorcheck.sync.worker import Backoff as Backoff  # re-exported: callers build it here
from doorcheck.views import SyncStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    full: bool
    guests_received: int
    uploaded: int
    conflicts: int
    rejected: int


def _utc_now() -> datetime:
    return datetime.now(UTC)


def push_pending(store: LocalStore, writer: ChangeWriter) -> tuple[int, int, int]:
    """Upload the outbox in batches; returns (uploaded, conflicts, rejected)."""
    uploaded = conflicts = rejected = 0
    while True:
        batch = store.waiting_changes(limit=writer.max_batch)
        if not batch:
            return uploaded, conflicts, rejected
        nonces = [c.nonce for c in batch]
        store.mark_sent(nonces)
        try:
            results = writer.push(batch)
        except StationError as exc:
            store.record_failure(nonces, exc.message)
            raise
        store.record_results(results)
        uploaded += len(results)
        conflicts += sum(1 for r in results if r.effective == ChangeOutcome.CONFLICT)
        rejected += sum(1 for r in results if r.effective == ChangeOutcome.REJECTED)


def pull(store: LocalStore, client: StationClient, batch: int = 2000) -> tuple[bool, int]:
    """Pull the full list (the first time) or the changes since the cursor.

    Each batch is written in its own short transaction as the answer streams in.
    (Writing on a second thread was tried: on two cores, with the server busy too,
    the GIL hand-offs made a 100,000-guest sync slower, not faster.)
    """
    cursor = store.get_state("cursor")
    generation = store.start_full_sync() if cursor is None else None
    written = 0

    def write(guests: list[WireGuest]) -> None:
        nonlocal written
        written += store.write_wire(guests, generation=generation)

    if generation is not None:
        summary = client.stream_all(write, batch)
        store.finish_full_sync(generation, summary.date_time)
    else:
        assert cursor is not None
        summary = client.stream_recent(cursor, write, batch)
        store.finish_recent(summary.date_time)
    return generation is not None, written


def sync_once(store: LocalStore, client: StationClient, writer: ChangeWriter) -> SyncReport:
    uploaded, conflicts, rejected = push_pending(store, writer)
    full, received = pull(store, client)
    return SyncReport(full, received, uploaded, conflicts, rejected)


def measure_skew(
    store: LocalStore, client: StationClient, clock: Callable[[], datetime] = _utc_now
) -> None:
    """Laptop clock minus server clock, from the login answer's Date header (whole
    seconds, which is plenty: it is shown when it is minutes off)."""
    result = client.login_result
    if result is not None and result.server_time is not None:
        skew = (clock() - result.server_time).total_seconds()
        store.set_state("clock_skew", f"{skew:.1f}")


def retrying_helps(exc: StationError) -> bool:
    """The error tree's ``retryable``, and the refusals that pass with time: a session
    is renewed by logging in, the login brake lifts, another device logs out."""
    return exc.retryable or isinstance(
        exc, (InvalidSessionError, TooManyLoginAttemptsError, TooManyDevicesError)
    )


def remember_station(store: LocalStore, client: StationClient) -> None:
    """After a login: the event, the station's mode and the zone plan as the server
    answered them. The server decides what this station is (its mode), never what
    was typed."""
    result = client.login_result
    if result is None:
        return
    store.set_states(
        {
            "event": json.dumps(result.event.raw),
            "mode": result.event.configuration.mode.value,
        }
    )
    if result.zone_plan is not None:
        store.zones.set_server_plan(result.zone_plan)


class StationSync(Background):
    """Runs sync rounds on a worker thread: every ``interval`` seconds, at once after
    a local change (``nudge``), and after failures with backoff and jitter."""

    thread_name = "doorcheck-sync"
    worker = "sync"

    def __init__(
        self,
        store: LocalStore,
        client: StationClient,
        writer: ChangeWriter,
        *,
        interval: float = 3.0,
        backoff: Backoff | None = None,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_report: Callable[[SyncReport], None] | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        super().__init__(interval, backoff=backoff, state=store, on_health=on_health)
        self.store = store
        self.client = client
        self.writer = writer
        self._on_status = on_status
        self._on_report = on_report
        self._clock = clock
        self._lock = threading.Lock()
        self.status = SyncStatus(online=None, last_success=None, last_error=None, retry_in=None)

    def run_once(self) -> SyncReport | None:
        """One round now, on the caller's thread; returns None if it failed."""
        with self._lock:
            try:
                if self.client.session_token is None:
                    self.client.login()
                    measure_skew(self.store, self.client, self._clock)
                    remember_station(self.store, self.client)
                report = sync_once(self.store, self.client, self.writer)
            except StationError as exc:
                if not retrying_helps(exc):
                    # A wrong App Code or a TLS failure: every retry would fail the
                    # same way (and trip the server's login brake). Its words say
                    # what to do; the steward logs in again.
                    self._publish(SyncStatus(False, self.status.last_success, exc.words, None))
                    self.fail(exc.words, stopped=True)
                    self.store.set_state("last_error", exc.message)
                    return None
                delay = self.backoff.next_delay()
                log.info("sync failed (%s); next try in %.1f s", exc.message, delay)
                self.store.set_state("last_error", exc.message)
                self._publish(SyncStatus(False, self.status.last_success, exc.message, delay))
                return None
            self.backoff.reset()
            self._publish(SyncStatus(True, datetime.now(UTC), None, None))
            if self._on_report is not None:
                self._on_report(report)
            return report

    def step(self) -> None:
        self.run_once()

    def delay(self) -> float:
        retry = self.status.retry_in
        return retry if self.status.online is False and retry is not None else self.interval

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        if self._on_status is not None:
            self._on_status(status)


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll ``predicate`` until true or ``timeout``; for commands and tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
