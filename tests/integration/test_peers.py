"""Doors of one event on the LAN (issue 14, docs/peers.md): real processes, real TLS
over loopback, the server stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.replication import LoggedChange
from doorcheck.protocol.wire import StationMode
from tests.support.cli import demo_codes, doorcheck, start_server, stop
from tests.support.peers import Door, make_doors, until


def demo_code(tmp_path: Path, info: dict[str, str]) -> str:
    return demo_codes(tmp_path, info["eventId"])[3]


@pytest.fixture
def event(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process, info = start_server("--demo", "--guests", "20", "--data", tmp_path / "server")
    try:
        yield process, info
    finally:
        if process.poll() is None:
            stop(process)


def test_five_doors_without_the_server_admit_a_guest_once(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    doors = make_doors(tmp_path, info, 5)
    stop(process)  # the internet is down from here on
    first, *others = doors
    try:
        first.watch()
        for door in others:
            door.watch(first)  # typed in: each knows one door; the rest it learns
        # Every door comes to know every other one, directly.
        until(lambda: all(sum(not p["stale"] for p in d.status()["peers"]) == 4 for d in doors),
              what="five doors seeing four each")  # fmt: skip
        code = demo_code(tmp_path, info)
        admitting = others[1]
        answer = doorcheck("checkin", code, "--data", admitting.data).stdout
        assert answer.startswith("ADMIT")
        for door in doors:
            until(lambda d=door: d.checked_in(code), what=f"{door.station} learning the check-in")
        for door in doors:
            if door is admitting:
                continue
            again = doorcheck("checkin", code, "--data", door.data, check=False)
            assert again.returncode == 1
            assert "already checked in at " in again.stdout
            assert again.stdout.rstrip().endswith(f"at {admitting.station}")
        # One check-in in every door's log, not one per door.
        for door in doors:
            assert door.status()["checked_in"] == 1
        # What staff see: the other four doors, each heard from, each change held.
        shown = json.loads(doorcheck("status", "--json", "--local", "--data", first.data).stdout)
        assert sorted(p["station"] for p in shown["peers"]) == ["Gate 2", "Gate 3", "Gate 4",
                                                                 "Gate 5"]  # fmt: skip
        assert not any(p["stale"] for p in shown["peers"])
        assert [p["held"] for p in shown["peers"] if p["station"] == admitting.station] == [1]
        text = doorcheck("status", "--local", "--data", first.data).stdout
        assert "Doors nearby:    4 of 4 doors heard from lately" in text
    finally:
        for door in doors:
            door.close()


def test_doors_find_each_other_with_mdns(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    doors = make_doors(tmp_path, info, 2)
    stop(process)
    try:
        for door in doors:
            door.watch(discover=True)  # nothing typed in
        until(lambda: all(any(not p["stale"] for p in d.status()["peers"]) for d in doors),
              what="the two doors finding each other")  # fmt: skip
        code = demo_code(tmp_path, info)
        assert doorcheck("checkin", code, "--data", doors[0].data).stdout.startswith("ADMIT")
        until(lambda: doors[1].checked_in(code), what="the check-in reaching the other door")
    finally:
        for door in doors:
            door.close()


def test_a_door_without_internet_starts_from_another_doors_list(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    (main,) = make_doors(tmp_path, info, 1)
    stop(process)  # from here on no door reaches the server
    code = doorcheck("pair", "--at", main.address, "--data", main.data).stdout.strip()
    assert code.startswith("DOORCHECK-PAIR:1:")
    new = Door(tmp_path / "new", main.station)
    joined = doorcheck("pair", code, "--data", new.data).stdout
    assert f"listens at {main.address}" in joined
    try:
        main.watch()
        new.watch(main)
        until(lambda: new.status()["doorId"] and new.session().store.status().guests > 0,
              what="the new door taking the guest list")  # fmt: skip
        assert new.session().store.status().guests == main.session().store.status().guests
        # Then it works as any other door: it admits, and the first door learns it.
        ticket = demo_code(tmp_path, info)
        assert doorcheck("checkin", ticket, "--data", new.data).stdout.startswith("ADMIT")
        until(lambda: main.checked_in(ticket), what="the first door learning the check-in")
    finally:
        main.close()
        new.close()


def test_doors_cut_apart_converge_to_one_check_in_and_a_conflict_at_both(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    server_port = info["url"].rsplit(":", 1)[1]
    main, side = make_doors(tmp_path, info, 2)
    stop(process)
    code = demo_code(tmp_path, info)
    # Cut apart: each admits the same guest on its own.
    assert doorcheck("checkin", code, "--data", side.data).stdout.startswith("ADMIT")
    assert doorcheck("checkin", code, "--data", main.data).stdout.startswith("ADMIT")
    try:
        main.watch()
        side.watch(main)  # the partition heals
        for door in (main, side):
            until(lambda d=door: _noted(d), what="the conflict noted at both doors")
            status = door.status()
            assert status["checked_in"] == 1
            assert status["doorId"]
        # Both doors keep the earlier one: Gate 2's (made first).
        for door in (main, side):
            hits = json.loads(doorcheck("search", code, "--json", "--data", door.data).stdout)
            assert hits[0]["checkedIn"]
        # The server comes back: both changes reach it from both doors, once each.
        again, _ = start_server("--port", server_port, "--data", tmp_path / "server")
        try:
            for door in (main, side):
                until(lambda d=door: d.status()["pending"] == 0, timeout=60, what="uploads")
            fresh = Door(tmp_path / "fresh", "Gate 1")
            doorcheck("login", "--server", info["url"], "--event", info["eventId"], "--key",
                      "gate-1-code", "--station", "Gate 1", "--data", fresh.data)  # fmt: skip
            doorcheck("sync", "--data", fresh.data)
            later = doorcheck("checkin", code, "--data", fresh.data, check=False).stdout
            assert "Gate 2" in later and "already" in later.lower()
        finally:
            stop(again)
    finally:
        main.close()
        side.close()


def logged(tmp_path: Path) -> str:
    """The log every process of the test writes (DOORCHECK_LOG_DIR, conftest.py)."""
    path = tmp_path / "logs" / "doorcheck.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _noted(door: Door) -> bool:
    changes = door.session().changes()
    return sum(1 for c in changes if c.note == "superseded") == 1


def test_a_stranger_can_neither_join_nor_read_and_garbage_stops_nobody(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    main, side = make_doors(tmp_path, info, 2)
    stop(process)
    try:
        main.watch()
        side.watch(main)
        until(lambda: any(not p["stale"] for p in main.status()["peers"]), what="joined")
        # A process without the secret: its handshake fails, it reads nothing.
        stranger = subprocess.run(
            [sys.executable, "-m", "tests.support.mesh_intruder", "stranger", main.address,
             str(tmp_path / "stranger")],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert stranger.stdout.strip() == "refused", stranger.stdout + stranger.stderr
        until(lambda: "mesh: refused a connection" in logged(tmp_path), what="logged")
        # A door with the secret that sends garbage: cut off, and logged.
        garbage = subprocess.run(
            [sys.executable, "-m", "tests.support.mesh_intruder", "garbage", main.address,
             str(main.data)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert garbage.stdout.strip() == "closed", garbage.stdout + garbage.stderr
        until(lambda: "mesh: refused a message" in logged(tmp_path), what="logged")
        # The doors go on: a check-in at one is known at the other.
        code = demo_code(tmp_path, info)
        assert doorcheck("checkin", code, "--data", side.data).stdout.startswith("ADMIT")
        until(lambda: main.checked_in(code), what="the check-in reaching the other door")
    finally:
        main.close()
        side.close()


def test_a_door_killed_mid_replication_keeps_a_whole_prefix_and_catches_up(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    main, side = make_doors(tmp_path, info, 2)
    stop(process)
    total = 20_000
    DEPARTED = "d" * 32  # noqa: N806 - a door id, as doors make them
    # Changes a door that has since left made (its origin), held by the first door.
    start = datetime.now(UTC) - timedelta(hours=1)
    main.session().store.log.accept(
        LoggedChange(DEPARTED, n, f"gone-{n}", f"guest-{n % 500}",
                     Action.CHECK_IN if n % 2 else Action.CHECK_OUT,
                     start + timedelta(milliseconds=n), "Gate 9")
        for n in range(1, total + 1)
    )  # fmt: skip
    try:
        main.watch()
        side.watch(main)
        held = side.session().store.log
        until(lambda: held.vector().get(DEPARTED, 0) > 0, what="catch-up begun")
        assert side.process is not None
        side.process.send_signal(signal.SIGKILL)  # mid-way: no chance to tidy up
        side.process.wait(10)
        side.process = None
        at_kill = held.vector().get(DEPARTED, 0)
        assert 0 < at_kill < total, f"not killed mid-way ({at_kill} of {total})"
        # What it holds is a whole prefix: 1..n of that door, no gap, nothing twice.
        numbers = sorted(c.seq for c in held.after({}, limit=total) if c.origin == DEPARTED)
        assert numbers == list(range(1, at_kill + 1))
        # An acknowledged check-in at the first door, whose node is then killed at once.
        ticket = demo_code(tmp_path, info)
        assert doorcheck("checkin", ticket, "--data", main.data).stdout.startswith("ADMIT")
        assert main.process is not None
        main.process.send_signal(signal.SIGKILL)
        main.process.wait(10)
        main.process = None
        main.watch()
        side.watch(main)
        until(lambda: held.vector().get(DEPARTED, 0) == total, timeout=120,
              what="the rest caught up")  # fmt: skip
        until(lambda: side.checked_in(ticket), what="the acknowledged check-in arriving")
        assert held.vector() == main.session().store.log.vector()
    finally:
        main.close()
        side.close()


def test_a_door_whose_clock_is_two_hours_behind_is_ordered_correctly(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    main, slow = make_doors(tmp_path, info, 2, StationMode.TOGGLE)
    stop(process)
    ticket = demo_code(tmp_path, info)
    skewed = [sys.executable, "-m", "tests.support.skewed_door", "-2"]
    try:
        main.watch()
        slow.watch(main, command=skewed)
        until(lambda: any(not p["stale"] for p in slow.status()["peers"]), what="joined")
        assert doorcheck("checkin", ticket, "--data", main.data).stdout.startswith("ADMIT")
        until(lambda: slow.checked_in(ticket), what="the check-in reaching the slow door")
        # The guest leaves by the door whose clock says two hours earlier.
        left = subprocess.run([*skewed, "checkout", ticket, "--data", str(slow.data)],
                              capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        assert left.stdout.startswith("EXIT"), left.stdout
        until(lambda: not main.checked_in(ticket), what="the check-out reaching the first door")
        # Ordered after the check-in at both doors: the guest is outside, and comes in
        # again (by the laptop's clock alone the check-out would precede the check-in,
        # and the guest would still be "already in").
        again = doorcheck("checkin", ticket, "--data", main.data).stdout
        assert again.startswith("ADMIT"), again
        until(lambda: slow.checked_in(ticket), what="the return reaching the slow door")
    finally:
        main.close()
        slow.close()
