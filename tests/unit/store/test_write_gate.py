"""The store's writers of one process take turns at a gate, a durable write first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from doorcheck.store import transactions
from doorcheck.store.local import LocalStore
from doorcheck.store.transactions import WriteGate, cannot_write


def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.005)


def test_a_durable_write_goes_before_waiting_writes_that_are_not(tmp_path: Path) -> None:
    # The mesh's intake of other doors' changes (not durable) keeps coming; a scan
    # (durable) waiting behind it is let in as soon as the lock is free, not after them.
    store = LocalStore.open(tmp_path / "door.sqlite3")
    gate = store.db.gate
    order: list[str] = []

    def write(name: str, durable: bool) -> threading.Thread:
        def run() -> None:
            with store.db.write(durable=durable):
                order.append(name)

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    try:
        with store.db.write(durable=False):
            intake = write("intake", durable=False)
            until(lambda: gate.waiting == 1, "the intake waiting")
            scan = write("scan", durable=True)
            until(lambda: gate.waiting == 2, "the scan waiting")
        scan.join(30)
        intake.join(30)
        assert order == ["scan", "intake"]
    finally:
        store.close()


def test_a_thread_holding_the_gate_passes_it_again() -> None:
    gate = WriteGate()
    with gate.held(durable=False), gate.held(durable=True):
        assert gate.waiting == 0
    with gate.held(durable=True):  # free again
        pass


def test_a_writer_kept_out_too_long_is_told_the_store_is_locked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As from SQLite when its busy timeout runs out: the scan says "not recorded".
    monkeypatch.setattr(transactions, "GATE_SECONDS", 0.05)
    gate = WriteGate()
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with gate.held(durable=False):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    try:
        with pytest.raises(Exception) as raised, gate.held(durable=True):
            pass
        assert cannot_write(raised.value)
        assert "database is locked" in str(raised.value)
    finally:
        release.set()
        holder.join(30)
    assert gate.waiting == 0
    with gate.held(durable=False):  # nobody left waiting or holding
        pass
