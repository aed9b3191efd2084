"""Doors of one event on the LAN (issue 14's numbers, on this 2-core machine).

    .venv/bin/python -m benchmarks.peers [--quick] [--json OUT]

Every door is a process of its own (this script run as ``--door DATA``: the door's
saved login opened through the session, its check-in service, and its mesh node
joined as ``doorcheck sync --watch`` joins it, on 127.0.0.1; commands come on stdin,
so a check-in is made in the door's own process and nudges its node, as at a kiosk).
Doors are logged in to a reference server (``doorcheck serve --demo``) with
``doorcheck login`` and ``doorcheck sync``. Measured:

1. a check-in at one door to "already in" at another: the time from the benchmark
   sending the code to the first door's process until a read-only poll (every ~1 ms,
   in this process) of the other door's SQLite store shows the guest checked in, p95
   over check-ins at rotating doors, with 5 and with 20 doors, the server stopped
   (nothing subtracted: the pipe to the door, its scan and fsync, TLS, the other
   door's accept and fsync, and the poll's ~1 ms are all in it); beside it, the time
   until the last of the other doors holds it (their ``on_learned`` stamps);
2. catch-up: one door stopped, 10,000 changes made at another, the door restarted;
   the time from its restart (process start) until its version vector holds all of
   them, and from its node running;
3. a new door taking a 100,000-guest list: a full ``doorcheck sync`` from the
   reference server, and from a peer (a new door started from a door's pairing code,
   no server asked);
4. a scan's verdict and durable write (``CheckInService.scan`` in a door's process)
   p95 while 20 doors gossip (the other 19 checking guests in, one every ~3 s each)
   against the same door alone, no mesh;
5. upload of the 10,000-change backlog to the reference server (``push_pending``,
   the push of the door's ``StationSync``) against the server's own bare insert of the
   same changes (``StationRepository.apply_changes`` called directly, 500 a call as the
   station protocol allows, on a fresh copy of the server's database).

Durations are only reported, never asserted; each row is compared with issue 14's
target, and a bare measurement of this machine in the same run where there is one.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.sync import bare_commit_ms, bare_commit_times
from doorcheck.paths import store_path
from doorcheck.server.db import make_engine
from doorcheck.server.repository import StationRepository
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.local import LocalStore
from doorcheck.sync.station_sync import push_pending

COMPANIONS_PER_GUEST = 0.5735  # demo events: companions per main guest
PY = sys.executable


@dataclass
class Row:
    name: str
    value: float | None  # None: not implemented
    unit: str
    target: str  # in words: "<= 250", "not worse than alone", ...
    ok: bool | None
    note: str = ""
    bare: float | None = None  # this machine's bare figure in the same run, same unit
    raw: list[float] = field(default_factory=list)  # every sample, in the JSON only

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.bare:
            return None
        return self.value / self.bare


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def doorcheck(*args: object) -> str:
    done = subprocess.run([PY, "-m", "doorcheck", *map(str, args)], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"doorcheck {args} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# -- the reference server and logged-in doors ----------------------------------------


@dataclass
class Event:
    url: str
    event_id: str
    data: Path
    process: subprocess.Popen[str] | None

    @property
    def db_path(self) -> Path:
        return self.data / "station.sqlite3"

    def repo(self) -> StationRepository:
        return StationRepository(make_engine(f"sqlite:///{self.db_path}"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.process = None

    def codes(self) -> list[str]:
        """Access codes of the registered main guests, shuffled the same every run."""
        repo = self.repo()
        guests = repo.guests_for_tickets(self.event_id)
        repo.engine.dispose()
        found = sorted(
            g.access_code
            for g in guests
            if g.parent_id is None
            and g.registration_state.value == "registered"
            and g.access_code
            and not g.is_deleted
        )
        random.Random(14).shuffle(found)
        return found


@contextmanager
def demo_event(total: int, data: Path) -> Iterator[Event]:
    main_guests = max(1, round(total / (1 + COMPANIONS_PER_GUEST)))
    process = subprocess.Popen(
        [PY, "-m", "doorcheck", "serve", "--port", "0", "--json", "--demo",
         "--guests", str(main_guests), "--data", str(data)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    event = Event(info["url"], info["eventId"], data, process)
    try:
        yield event
    finally:
        event.stop()


@dataclass
class DoorFolder:
    data: Path
    station: str
    event_id: str

    @property
    def store_file(self) -> Path:
        return store_path(self.data, self.event_id, self.station)


def app_code(station: str) -> str:
    return f"{station.replace(' ', '-')}-bench-code"  # the server wants 10 or more


def make_doors(event: Event, work: Path, names: Sequence[str], *, sync: bool = True
               ) -> list[DoorFolder]:  # fmt: skip
    """A station per door on the server, ``doorcheck login`` and ``doorcheck sync``."""
    repo = event.repo()
    codes = {n: repo.create_station(event.event_id, n, app_code=app_code(n)).app_code
             for n in names}  # fmt: skip
    repo.engine.dispose()

    def one(name: str) -> DoorFolder:
        folder = DoorFolder(work / name.replace(" ", "-"), name, event.event_id)
        doorcheck("login", "--server", event.url, "--event", event.event_id, "--key",
                  codes[name], "--station", name, "--data", folder.data)  # fmt: skip
        if sync:
            doorcheck("sync", "--data", folder.data)
        return folder

    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(one, names))


# -- a door's process ----------------------------------------------------------------


def door_worker(data: Path, port: int, peers: list[str], mesh: bool) -> int:
    """One door: its session, its check-in service and (``mesh``) its node. Reads one
    JSON command a line on stdin, answers one JSON line on stdout."""
    from doorcheck.session.door import open_door

    lock = threading.Lock()

    def emit(message: dict[str, Any]) -> None:
        with lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    door = open_door(data)
    service = door.service(ask=False)
    timer = ScanTimer(door.store.db.engine)
    store_calls = count_store_calls(door.store)
    node = None
    if mesh:
        node = door.join_mesh(
            service,
            listen=("127.0.0.1", port),
            addresses=peers,
            on_learned=lambda n: emit({"learned": n, "at": time.monotonic()}),
        )
    emit({"ready": True, "door": door.store.log.door_id, "at": time.monotonic(),
          "port": node.port if node is not None else 0})  # fmt: skip
    try:
        for line in sys.stdin:
            command = json.loads(line)
            do = command["do"]
            if do == "scan":
                outcome = service.scan(command["code"], "scanner")
                emit({"verdict": outcome.verdict.kind.value})
            elif do == "scans":
                time.sleep(command.get("delay", 0.0))
                times = []
                parts: list[dict[str, float]] = []
                threads_before = thread_cpu_ms()
                for code in command["codes"]:
                    with timer.scan() as part:
                        service.scan(code, "scanner")
                    times.append(part["wall"])
                    parts.append(part)
                    time.sleep(command.get("pause", 0.0) * random.uniform(0.5, 1.5))
                threads_after = thread_cpu_ms()
                used = {name: round(ms - threads_before.get(name, 0.0), 1)
                        for name, ms in threads_after.items()}  # fmt: skip
                emit({"times": times, "parts": parts, "threads": used,
                      "calls": store_calls.since_last()})  # fmt: skip
            elif do == "nearby":
                emit({"nearby": node.nearby() if node is not None else 0})
            elif do == "quit":
                break
    finally:
        if node is not None:
            node.stop()
        door.close()
    return 0


class StoreCalls:
    """Calls of the change log's methods in a door's process: how many, their wall
    and CPU ms (the thread's), and the longest; which of the mesh's store work costs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, list[float]] = {}

    def wrap(self, owner: object, name: str) -> None:
        original = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                took = (time.perf_counter() - wall) * 1000
                used = (time.thread_time() - cpu) * 1000
                with self._lock:
                    entry = self._found.setdefault(name, [0, 0.0, 0.0, 0.0])
                    entry[0] += 1
                    entry[1] += took
                    entry[2] += used
                    entry[3] = max(entry[3], took)

        setattr(owner, name, counted)

    def since_last(self) -> dict[str, list[float]]:
        with self._lock:
            found, self._found = self._found, {}
        return {name: [round(v, 1) for v in entry] for name, entry in found.items()}


def count_store_calls(store: LocalStore) -> StoreCalls:
    calls = StoreCalls()
    for name in ("accept", "after", "vector", "newest", "top", "note_peers"):
        calls.wrap(store.log, name)
    return calls


def thread_cpu_ms() -> dict[str, float]:
    """CPU ms used so far by each thread of this process, by kind of thread (the
    asyncio executor's workers summed), from /proc."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    used: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(task.name), "other")
        kind = name.split("_")[0] if name.startswith("asyncio_") else name
        used[kind] = used.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) * 1000 / tick
    return used


def run_queue_ns() -> int:
    """Nanoseconds this thread has waited, runnable, for a CPU (Linux schedstat)."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


class ScanTimer:
    """Where a scan's time goes, in the scanning thread: its CPU (``cpu``), waiting
    for a core (``runq``, the kernel's run-queue delay), until it holds the write
    lock (``lock``: from the scan's start until its BEGIN IMMEDIATE returned, so the
    wait for the store's write gate and for SQLite's lock, which another writer of
    this process or another holds), and the commit (``commit``: from SQLite's COMMIT
    to the end of the scan, the fsync in it). What is left of ``wall`` (``other``) is
    off-CPU time outside those: mostly waiting for the GIL another thread (the mesh
    node) holds. The parts overlap a little (a part's own CPU is in ``cpu`` too)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self._scanning: int | None = None
        self._marks: dict[str, float] = {}

        def mark(name: str) -> Callable[..., None]:
            def at(*_: object) -> None:
                if threading.get_ident() == self._scanning:
                    self._marks[name] = time.perf_counter()

            return at

        def statement(name: str) -> Callable[..., None]:
            noted = mark(name)

            def at(_conn: object, _cursor: object, sql: str, *_: object) -> None:
                if sql.startswith("BEGIN IMMEDIATE"):
                    noted()

            return at

        # When the store's BEGIN IMMEDIATE returned (it waits while another writer
        # holds the lock), and at COMMIT.
        event.listen(engine, "after_cursor_execute", statement("begun"))
        event.listen(engine, "commit", mark("commit"))

    @contextmanager
    def scan(self) -> Iterator[dict[str, float]]:
        part: dict[str, float] = {}
        self._scanning = threading.get_ident()
        self._marks = {}
        queued, cpu = run_queue_ns(), time.thread_time()
        start = time.perf_counter()
        try:
            yield part
        finally:
            end = time.perf_counter()
            self._scanning = None
            marks = self._marks
            part["wall"] = (end - start) * 1000
            part["cpu"] = (time.thread_time() - cpu) * 1000
            part["runq"] = (run_queue_ns() - queued) / 1e6
            part["lock"] = (marks["begun"] - start) * 1000 if "begun" in marks else 0.0
            part["commit"] = (end - marks["commit"]) * 1000 if "commit" in marks else 0.0
            part["other"] = max(0.0, part["wall"] - part["cpu"] - part["runq"]
                                - part["lock"] - part["commit"])  # fmt: skip


@dataclass
class Worker:
    folder: DoorFolder
    port: int
    process: subprocess.Popen[str]
    answers: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    learned: list[float] = field(default_factory=list)
    door_id: str = ""
    ready_at: float = 0.0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "learned" in message:
                self.learned.append(float(message["at"]))
            else:
                self.answers.put(message)

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def answer(self, timeout: float = 600) -> dict[str, Any]:
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{self.folder.station}: no answer in {timeout} s") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.send({"do": "quit"})
                self.process.wait(20)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(10)


def start_worker(folder: DoorFolder, peers: Sequence[str] = (), *, mesh: bool = True,
                 port: int | None = None, wait: bool = True) -> Worker:  # fmt: skip
    # The door takes a free port itself and says which (a port picked here could be
    # taken meanwhile by one of the twenty doors' own connections).
    port = port or 0
    command = [PY, "-m", "benchmarks.peers", "--door", str(folder.data), "--port", str(port)]
    for peer in peers:
        command += ["--peer", peer]
    if not mesh:
        command.append("--no-mesh")
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, bufsize=1)  # fmt: skip
    worker = Worker(folder, port, process)
    threading.Thread(target=worker._read, daemon=True).start()
    if wait:
        ready(worker)
    return worker


def ready(worker: Worker) -> None:
    hello = worker.answer(120)
    worker.door_id = hello["door"]
    worker.ready_at = hello["at"]
    worker.port = hello["port"] or worker.port


def start_mesh(folders: Sequence[DoorFolder]) -> list[Worker]:
    """Each door is told of the first one only (typed in); the rest it learns.
    Returns once every door has heard from every other one."""
    first = start_worker(folders[0])
    workers = [first] + [start_worker(f, [first.address], wait=False) for f in folders[1:]]
    for worker in workers[1:]:
        ready(worker)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        seen = []
        for worker in workers:
            worker.send({"do": "nearby"})
            seen.append(worker.answer()["nearby"])
        if all(n == len(workers) - 1 for n in seen):
            return workers
        time.sleep(0.5)
    raise RuntimeError(f"the mesh of {len(workers)} doors did not form: {seen}")


def stop_all(workers: Sequence[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            worker.send({"do": "quit"})
    for worker in workers:
        worker.stop()


# -- 1. a check-in to "already in" at another door -----------------------------------


def checked_in(store: LocalStore, code: str) -> bool:
    view = store.guest_by_code(code)
    return view is not None and view.guest.is_checked_in


def propagation(workers: list[Worker], codes: list[str], trials: int
                ) -> tuple[list[float], list[float]]:  # fmt: skip
    """Per trial: ms until one other door's store answers "already in" (polled read-only
    here), and ms until the last of the other doors held it (their on_learned stamps)."""
    stores = {w.door_id: LocalStore.open(w.folder.store_file) for w in workers}
    rng = random.Random(len(workers))
    to_one: list[float] = []
    to_all: list[float] = []
    try:
        for trial in range(trials):
            origin = workers[trial % len(workers)]
            target = rng.choice([w for w in workers if w is not origin])
            code = codes.pop()
            time.sleep(rng.uniform(0.2, 0.6))  # not in step with the doors' 2 s ticks
            start = time.monotonic()
            origin.send({"do": "scan", "code": code})
            polled = stores[target.door_id]
            while not checked_in(polled, code):
                if time.monotonic() - start > 30:
                    raise RuntimeError(f"{target.folder.station} never learned {code}")
                time.sleep(0.001)
            to_one.append((time.monotonic() - start) * 1000)
            verdict = origin.answer()["verdict"]
            if verdict != "admit":
                raise RuntimeError(f"{code} at {origin.folder.station}: {verdict}")
            others = [w for w in workers if w is not origin]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                firsts = [next((t for t in w.learned if t >= start), None) for w in others]
                if all(t is not None for t in firsts):
                    to_all.append((max(t for t in firsts if t is not None) - start) * 1000)
                    break
                time.sleep(0.01)
    finally:
        for store in stores.values():
            store.close()
    return to_one, to_all


# -- 4. a scan while the doors gossip --------------------------------------------------


def scan_times(worker: Worker, codes: list[str], pause: float) -> list[float]:
    worker.send({"do": "scans", "codes": codes, "pause": pause})
    return [float(t) for t in worker.answer()["times"]]


def scan_parts(worker: Worker, codes: list[str], pause: float
               ) -> tuple[list[float], list[dict[str, float]]]:  # fmt: skip
    """Each scan's time and where it went (ScanTimer)."""
    worker.send({"do": "scans", "codes": codes, "pause": pause})
    answer = worker.answer()
    print(f"{worker.folder.station}: CPU ms by thread while scanning: {answer['threads']}; "
          f"change log calls [count, wall ms, CPU ms, longest ms]: {answer['calls']}",
          flush=True)  # fmt: skip
    return [float(t) for t in answer["times"]], answer["parts"]


@contextmanager
def bare_beside(folder: Path, count: int, pause: float) -> Iterator[list[float]]:
    """Bare commits in a process of their own (as a door is), run while the block runs;
    their times are in the list once it ends."""
    process = subprocess.Popen(
        [PY, "-m", "benchmarks.peers", "--bare", str(folder), "--count", str(count),
         "--pause", str(pause)], stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    found: list[float] = []
    try:
        yield found
    finally:
        out, _ = process.communicate(timeout=600)
        found.extend(float(t) for t in json.loads(out))


Parts = list[dict[str, float]]


def scans_with_gossip(
    workers: list[Worker], codes: list[str], count: int, pause: float, work: Path
) -> tuple[list[float], Parts, list[float], int]:
    """The first door scans ``count`` codes while each other door checks a guest in
    about every 3 s (a busy door at a busy entrance), and a process beside it makes
    bare commits at the same pace; returns the first door's times and their parts,
    the bare commits' times, and how many changes the others made meanwhile."""
    scanning, others = workers[0], workers[1:]
    duration = count * pause
    per_door = max(1, int(duration / 3.0))
    for index, worker in enumerate(others):
        mine = [codes.pop() for _ in range(per_door)]
        delay = 3.0 * index / len(others)
        worker.send({"do": "scans", "codes": mine, "pause": 3.0, "delay": delay})
    with bare_beside(work / "bare-gossip", count, pause) as bare:
        times, parts = scan_parts(scanning, [codes.pop() for _ in range(count)], pause)
    for worker in others:
        worker.answer()
    return times, parts, bare, per_door * len(others)


def parts_note(parts: list[dict[str, float]], times: list[float]) -> str:
    """Where the time of the slowest 5 % of scans went, on average, in words."""
    cut = percentile(times, 0.95)
    slow = [p for p in parts if p["wall"] >= cut] or parts
    names = ("cpu", "runq", "lock", "commit", "other")
    return (
        "slowest 5 %: "
        + ", ".join(f"{name} {statistics.mean(p[name] for p in slow):.0f}" for name in names)
        + " ms (median scan: "
        + ", ".join(f"{name} {statistics.median(p[name] for p in parts):.1f}" for name in names)
        + ")"
    )


# -- 2, 3, 5: a big list, a door away, the backlog ------------------------------------


def run_measured(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{command} failed")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def peer_list_transfer(source: DoorFolder, work: Path) -> float:
    """Seconds for a new door, started from ``source``'s pairing code (the same
    station, no server asked), to take ``source``'s guest list over the mesh: from its
    process start until its store holds as many guests as ``source``'s."""
    code = doorcheck("pair", "--data", source.data).strip()
    fresh = DoorFolder(work / "from-peer", source.station, source.event_id)
    doorcheck("pair", code, "--data", fresh.data)
    store = LocalStore.open(source.store_file)
    want = store.status().guests
    store.close()
    first = start_worker(source)
    try:
        began = time.monotonic()
        second = start_worker(fresh, [first.address], wait=False)
        polled: LocalStore | None = None
        while True:
            if polled is None and fresh.store_file.exists():
                polled = LocalStore.open(fresh.store_file)
            if polled is not None and polled.get_state("cursor") is not None:
                break  # the whole list is in: the cursor comes with its last page
            if time.monotonic() - began > 600:
                raise RuntimeError("the new door never took the list")
            time.sleep(0.01)
        took = time.monotonic() - began
        got = polled.status().guests
        polled.close()
        if got != want:
            raise RuntimeError(f"the new door took {got} of {want} guests")
        ready(second)
        stop_all([second])
        return took
    finally:
        stop_all([first])


def catch_up(maker: DoorFolder, away: DoorFolder, codes: list[str], changes: int
             ) -> tuple[float, float, float, int]:  # fmt: skip
    """Returns seconds from the restart and from the node running until the away door
    holds every change, the seconds the changes took to make, and how many."""
    first = start_worker(maker)
    second = start_worker(away, [first.address])
    deadline = time.monotonic() + 60
    while True:
        second.send({"do": "nearby"})
        if second.answer()["nearby"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    second.stop()
    start = time.perf_counter()
    scan_times(first, codes[:changes], 0.0)
    made = time.perf_counter() - start
    store = LocalStore.open(maker.store_file)
    want = store.log.vector()[first.door_id]
    store.close()
    polled = LocalStore.open(away.store_file)
    try:
        began = time.monotonic()
        second = start_worker(away, [first.address], wait=False)
        while polled.log.vector().get(first.door_id, 0) < want:
            if time.monotonic() - began > 300:
                raise RuntimeError("the away door never caught up")
            time.sleep(0.005)
        done = time.monotonic()
        ready(second)
    finally:
        polled.close()
        stop_all([first, second])
    return done - began, done - second.ready_at, made, want


def bare_insert(event: Event, folder: DoorFolder, work: Path) -> float:
    """The server's own insert of the door's waiting changes: apply_changes called
    directly, 500 a call, on a fresh copy of the server's database."""
    copy = work / "bare-server.sqlite3"
    with sqlite3.connect(event.db_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    store = LocalStore.open(folder.store_file)
    changes = [c.to_json() for c in store.waiting_changes(limit=1_000_000)]
    store.close()
    repo = StationRepository(make_engine(f"sqlite:///{copy}"))
    token = repo.login(event.event_id, app_code(folder.station), folder.station)["sessionToken"]
    start = time.perf_counter()
    for at in range(0, len(changes), repo.settings.max_batch):
        repo.apply_changes(token, changes[at : at + repo.settings.max_batch])
    took = time.perf_counter() - start
    repo.engine.dispose()
    return took


def upload(event: Event, folder: DoorFolder) -> tuple[float, int, int]:
    store = LocalStore.open(folder.store_file)
    client = StationClient(event.url, Credentials(event.event_id, app_code(folder.station),
                                                  folder.station))  # fmt: skip
    client.login()
    try:
        start = time.perf_counter()
        uploaded, _, rejected = push_pending(store, StationChangeWriter(client))
        return time.perf_counter() - start, uploaded, rejected
    finally:
        client.close()
        store.close()


def machine_speed() -> float:
    start = time.perf_counter()
    sum(range(30_000_000))
    return time.perf_counter() - start


# -- the run -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    small_list: int  # guests of the event the 5 and 20 doors share
    doors: tuple[int, int]
    trials: int
    scans: int
    scan_pause: float
    big_list: int
    changes: int


FULL = Sizes(3000, (5, 20), 60, 300, 0.1, 100_000, 10_000)
QUICK = Sizes(800, (3, 6), 12, 40, 0.05, 12_000, 1_000)


def mesh_part(sizes: Sizes, work: Path, rows: list[Row]) -> None:
    few, many = sizes.doors
    with demo_event(sizes.small_list, work / "small-server") as event:
        codes = event.codes()
        folders = make_doors(event, work / "small", [f"Gate {n}" for n in range(1, many + 1)])
        event.stop()  # the internet is down from here on, as in the integration tests
    bare = bare_commit_ms(work, 300)  # the floor of a durable scan, as in benchmarks/sync.py
    busy: list[float] = []
    busy_parts: list[dict[str, float]] = []
    bare_busy: list[float] = []
    made = 0
    # 4, alone: the door's own process, no mesh; bare commits at the same pace in a
    # process beside it.
    alone = start_worker(folders[0], mesh=False)
    with bare_beside(work / "bare-alone", sizes.scans, sizes.scan_pause) as bare_alone:
        solo, solo_parts = scan_parts(alone, [codes.pop() for _ in range(sizes.scans)],
                                      sizes.scan_pause)  # fmt: skip
    alone.stop()
    for count in (few, many):
        workers = start_mesh(folders[:count])
        try:
            to_one, to_all = propagation(workers, codes, sizes.trials)
            note = (f"median {statistics.median(to_one):.0f} ms, max {max(to_one):.0f} ms, "
                    f"{len(to_one)} check-ins")  # fmt: skip
            p95 = percentile(to_one, 0.95)
            rows.append(Row(f"check-in to 'already in' at another door, {count} doors, p95",
                            p95, "ms", "<= 250", p95 <= 250, note))  # fmt: skip
            if to_all:
                last = percentile(to_all, 0.95)
                rows.append(Row(f"  ... until the last of the {count - 1} others holds it, p95",
                                last, "ms", "(none)", None,
                                f"median {statistics.median(to_all):.0f} ms"))  # fmt: skip
            if count == many:
                busy, busy_parts, bare_busy, made = scans_with_gossip(
                    workers, codes, sizes.scans, sizes.scan_pause, work
                )
        finally:
            stop_all(workers)
    rows.append(Row("bare durable commit (benchmarks/sync.py bare_commit_ms), p95, back to "
                    "back", bare, "ms", "(floor)", None, "this process, nothing else of "
                    "the run running"))  # fmt: skip
    bare_alone_p95 = percentile(bare_alone, 0.95)
    alone_p95 = percentile(solo, 0.95)
    rows.append(Row("bare durable commit at a scan's pace, beside the door alone, p95",
                    bare_alone_p95, "ms", "(floor)", None,
                    f"median {statistics.median(bare_alone):.1f} ms; a process of its own",
                    raw=rounded(bare_alone)))  # fmt: skip
    rows.append(Row("scan verdict + durable write, p95, door alone (no mesh)", alone_p95,
                    "ms", "(baseline)", None, f"median {statistics.median(solo):.1f} ms, "
                    f"{len(solo)} scans; {parts_note(solo_parts, solo)}", bare_alone_p95,
                    raw=rounded(solo)))  # fmt: skip
    bare_busy_p95 = percentile(bare_busy, 0.95)
    rows.append(Row(f"bare durable commit at a scan's pace while {many} doors gossip, p95",
                    bare_busy_p95, "ms", "(floor)", None,
                    f"median {statistics.median(bare_busy):.1f} ms; a process of its own "
                    "beside the scanning door", raw=rounded(bare_busy)))  # fmt: skip
    busy_p95 = percentile(busy, 0.95)
    rows.append(Row(f"  scan while {many} doors gossip, p95", busy_p95, "ms",
                    "not worse than alone", busy_p95 <= alone_p95 * 1.1,
                    f"median {statistics.median(busy):.1f} ms; {made} changes by the "
                    f"other {many - 1} doors meanwhile; ok within 10 %; "
                    f"{parts_note(busy_parts, busy)}", bare_busy_p95,
                    raw=rounded(busy)))  # fmt: skip
    alone_ratio = alone_p95 / bare_alone_p95 if bare_alone_p95 else float("nan")
    busy_ratio = busy_p95 / bare_busy_p95 if bare_busy_p95 else float("nan")
    bare_rose = bare_busy_p95 / bare_alone_p95 if bare_alone_p95 else float("nan")
    rows.append(Row("  scan/bare p95 ratio while gossiping, against alone", busy_ratio,
                    "x", "(no more than alone)", None,
                    f"alone {alone_ratio:.1f} x; with the gossip the bare commit's p95 rose "
                    f"{bare_rose:.1f}-fold (the shared disk and CPU), the scan's "
                    f"{busy_p95 / alone_p95:.1f}-fold"))  # fmt: skip


def rounded(values: Sequence[float]) -> list[float]:
    return [round(v, 1) for v in values]


def big_part(sizes: Sizes, work: Path, rows: list[Row]) -> None:
    with demo_event(sizes.big_list, work / "big-server") as event:
        codes = event.codes()
        maker, away = make_doors(event, work / "big", ["Maker", "Away"], sync=False)
        # 3. A new door's first full sync from the reference server, as its own process.
        wall, cpu = run_measured([PY, "-m", "doorcheck", "sync", "--data", str(maker.data)])
        store = LocalStore.open(maker.store_file)
        guests = store.status().guests
        store.close()
        doorcheck("sync", "--data", away.data)
        rows.append(Row(f"new door's list of {guests:,} guests: full sync from the server",
                        wall, "s", "(baseline)", None,
                        f"doorcheck sync, its own process; client CPU {cpu:.1f} s"))  # fmt: skip
        from_peer = peer_list_transfer(maker, work / "big")
        rows.append(Row("  the same list from a peer door", from_peer, "s",
                        "no slower than the server", from_peer <= wall,
                        "a new door from the first one's pairing code, its own process",
                        wall))  # fmt: skip
        # 2. Catch-up after being away.
        since_start, since_ready, made, held = catch_up(maker, away, codes, sizes.changes)
        rows.append(Row(f"catch-up of a door away while {held:,} changes were made",
                        since_start, "s", "<= 5", since_start <= 5,
                        f"from its restart (process start); the changes took {made:.0f} s "
                        "to make"))  # fmt: skip
        del since_ready  # the door reports its node running after the catch-up is done
        # 5. The backlog to the server, against the server's own bare insert.
        bare = bare_insert(event, maker, work)
        took, uploaded, rejected = upload(event, maker)
        ratio = took / bare
        rows.append(Row(f"upload of a {uploaded:,}-change backlog to the server", took, "s",
                        "<= 3 x bare", ratio <= 3,
                        f"push_pending (StationSync's push); {rejected} rejected; bare = "
                        "apply_changes in-process on a copy", bare))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", choices=["mesh", "big"], help=argparse.SUPPRESS)
    parser.add_argument("--door", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--peer", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--no-mesh", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--pause", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare_commit_times(args.bare, args.count, args.pause)))
        return 0
    if args.door:
        return door_worker(args.door, args.port, args.peer, not args.no_mesh)
    sizes = QUICK if args.quick else FULL
    rows = [Row("machine speed: a fixed Python loop", machine_speed(), "s", "(none)", None,
                "to compare runs")]  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="doorcheck-peers-"))
    # Every process of the run: secrets in files, logs and data in the work folder.
    os.environ.update(DOORCHECK_SECRETS="file", XDG_DATA_HOME=str(work / "xdg"),
                      DOORCHECK_LOG_DIR=str(work / "logs"))  # fmt: skip
    try:
        for name, part in (("big", big_part), ("mesh", mesh_part)):
            if args.only in (None, name):
                try:
                    part(sizes, work, rows)
                except Exception:  # a part that fails is reported; the others still run
                    traceback.print_exc()
                    rows.append(Row(f"{name} part FAILED (see above)", None, "", "", False))
                print_rows(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(rows, args.json)
    return 0


def print_rows(rows: list[Row]) -> None:
    print(f"{'measurement':<62} {'value':>9} {'unit':<4} {'target':<22} {'met':<4} "
          f"{'bare':>8} {'ratio':>6}  notes")  # fmt: skip
    for row in rows:
        value = "n/a" if row.value is None else f"{row.value:.2f}"
        met = {None: "", True: "yes", False: "NO"}[row.ok]
        bare = f"{row.bare:>8.2f}" if row.bare is not None else f"{'':>8}"
        ratio = f"{row.ratio:>6.1f}" if row.ratio is not None else f"{'':>6}"
        print(f"{row.name:<62} {value:>9} {row.unit:<4} {row.target:<22} {met:<4} "
              f"{bare} {ratio}  {row.note}", flush=True)  # fmt: skip


def report(rows: list[Row], json_path: Path | None) -> None:
    print_rows(rows)
    found = [row.__dict__ | {"ratio": row.ratio} for row in rows]
    print(json.dumps(found, indent=2))
    if json_path:
        json_path.write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
