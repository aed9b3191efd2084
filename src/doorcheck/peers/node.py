"""One door's part of its event's mesh: listen, connect, catch up, push.

The node runs an asyncio loop on a thread of its own; the store is only touched
through ``asyncio.to_thread`` (SQLite's work never holds up another door). With
every door it is connected to, it keeps what that door holds (a version vector, from
its hello and ticks and what was sent to it) and sends what it lacks, at once when a
change is made here (``nudge``, or seen within 0.25 s when another process of this
door wrote it, as ``doorcheck checkin`` does) or learned from a third door. Nothing
a door acknowledges is lost: a change counts as held only once its transaction is
on disk, and a connection that breaks starts again from a hello.

Failures stay with their door: a message that breaks the rules (messages.py), a
door that stops answering (no word for 15 s), a handshake without this event's
certificate: that connection is closed and the reason logged and kept for
``doorcheck status``; the node and its other connections go on, and a door typed in
or found is dialled again with a growing pause (1 s up to 10 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from doorcheck.domain.hlc import ClockDriftError, HybridClock, door_time, stamp_of, wall_clock_ms
from doorcheck.domain.occupancy import DoorZone
from doorcheck.domain.replication import LoggedChange, merged
from doorcheck.peers import messages
from doorcheck.peers.discovery import Discovery
from doorcheck.peers.messages import PeerMessageError
from doorcheck.peers.trust import DoorIdentity, certificate_door
from doorcheck.sqlite import driver_errors
from doorcheck.store.changelog import PeerRecord
from doorcheck.store.cipher import StoreLockedError
from doorcheck.store.local import LocalStore

log = logging.getLogger(__name__)

DEFAULT_PORT = 47474
TICK_SECONDS = 2.0
QUIET_LIMIT = 15.0  # no word from a connected door for this long: it is gone
STALE_SECONDS = 30.0  # a door not heard from for this long is flagged on screen
# A tick that would tell a door nothing new (the same vector and addresses as the last
# one it was sent) is skipped, but one goes at least this often: the other door must
# hear a word well within QUIET_LIMIT, and its "heard" time (STALE_SECONDS) stays
# true. Twenty idle doors sent each other 190 ticks a second before; a third now.
IDLE_TICK_SECONDS = 6.0
# The doors' status on disk (for ``doorcheck status`` in another process) is written
# at once when something shown in it changed, but when only the doors' "heard" times
# moved, at most this often, which keeps them far inside STALE_SECONDS: one UPDATE
# per door every 2 s was the costliest part of an idle door.
HEARD_PERSIST_SECONDS = 10.0
# A connection's TLS handshake and hello, all told. Doors on a LAN take milliseconds,
# a loaded laptop well under a second; a socket that has said nothing by then is not
# a door, and while it waits it holds a file descriptor here.
HANDSHAKE_SECONDS = 5.0
WATCH_SECONDS = 0.25
MAX_CONNECTIONS = 64
# Connections taken but not yet past their hello. Doors dialling at once (a venue
# starting up) are a handful in flight; anyone on the Wi-Fi can open sockets without
# the secret, and each costs a file descriptor and memory until its handshake fails.
# Beyond this, the oldest pending connection of the address holding the most is
# closed at once to make room: a stranger flooding from one address evicts only its
# own sockets, and a real door's handshake is done long before it is the oldest.
MAX_PENDING = 32
# Refused connections are said at once, then at most one line per this many seconds
# counting the rest: a flood of sockets is a few lines in the log, not one a socket.
REFUSAL_LOG_SECONDS = 10.0
# Addresses a door dials: typed in, found, and passed on by other doors. A venue's
# doors are a few dozen; a door naming thousands is not to be followed.
MAX_ADDRESSES = 64
BATCH = messages.MAX_CHANGES


class PeerProblem:
    """Why a door was last refused or dropped: codes kept for ``doorcheck status``."""

    MALFORMED = "malformed"  # a message that breaks the rules
    WRONG_IDENTITY = "wrong-identity"  # says it is another door than its certificate
    SILENT = "silent"  # stopped answering
    CLOCK_AHEAD = "clock-ahead"  # its clock is more than 12 h ahead of this laptop's
    REFUSED_CHANGE = "refused-change"  # a change reusing a nonce or number, or ours
    FAILED = "failed"  # this door failed talking to it (logged)


@dataclass
class PeerState:
    door_id: str
    station: str
    address: str | None = None
    last_heard: float = 0.0  # time.monotonic()
    heard_at: datetime | None = None
    connected: bool = False
    clock_offset_ms: int | None = None
    problem: str | None = None
    known: dict[str, int] = field(default_factory=dict)
    zone: DoorZone | None = None  # the zone it said it is in (docs/occupancy.md)


@dataclass(frozen=True, slots=True)
class PeerStatus:
    """Another door as this one sees it now."""

    door_id: str
    station: str
    address: str | None
    connected: bool
    last_heard: datetime | None
    seconds_since: float | None
    stale: bool
    held: int  # how many of its changes this door holds
    clock_offset_ms: int | None
    problem: str | None
    zone: DoorZone | None = None


@dataclass(eq=False)
class _Pending:
    """A connection taken by the listener, not yet past its hello."""

    host: str
    task: asyncio.Task[Any] | None  # the listener's task for it, cancelled to close it
    deadline: asyncio.TimerHandle | None = None
    dropped: bool = False  # closed by the node (evicted, or out of time)


def _to_evict(pending: Iterable[_Pending]) -> _Pending:
    """The pending connection to close for a new one: the oldest of the address that
    holds the most (``pending`` oldest first), so one flooding address cannot push out
    another's handshake."""
    entries = list(pending)
    counts = Counter(entry.host for entry in entries)
    busiest = max(counts.values())
    return next(entry for entry in entries if counts[entry.host] == busiest)


class _RefusalLog:
    """Refused connections said in the log at a bounded rate: the first at once, the
    rest counted and said in one line per ``REFUSAL_LOG_SECONDS``."""

    def __init__(self) -> None:
        self._quiet_until = 0.0
        self._held: Counter[str] = Counter()
        self._timer: asyncio.TimerHandle | None = None

    def note(self, host: str, reason: str) -> None:
        now = time.monotonic()
        if now >= self._quiet_until and not self._held:
            log.warning("mesh: refused a connection from %s (%s)", host, reason)
            self._quiet_until = now + REFUSAL_LOG_SECONDS
            return
        self._held[reason] += 1
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(
                max(0.0, self._quiet_until - now), self._say
            )

    def _say(self) -> None:
        self._timer = None
        held, self._held = self._held, Counter()
        if held:
            reasons = "; ".join(f"{n}: {reason}" for reason, n in held.most_common(5))
            log.warning("mesh: refused %d more connections (%s)", held.total(), reasons)
        self._quiet_until = time.monotonic() + REFUSAL_LOG_SECONDS

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class _Connection:
    def __init__(self, node: MeshNode, writer: asyncio.StreamWriter, peer: PeerState) -> None:
        self.node = node
        self.writer = writer
        self.peer = peer
        self.wake = asyncio.Event()
        self.catch_up = True  # send everything the door lacks, not only our own
        self.made_here = True  # a change was made at this door since the last send
        # The door's last tick showed it holds what this one lacks: tell it this
        # door's vector at the next tick (not an idle one), so it sends what this
        # door lacks.
        self.tick_wanted = False
        # What the door lacked, at its last tick, of what this one held then (origin:
        # number). Each door pushes its own changes to every door at once, so what a
        # door lacks at one tick is mostly on its way from its origin; only what it
        # still lacks at its next tick is passed on (see _reader).
        self.lacked: dict[str, int] = {}
        self.wake.set()  # at once on connecting, not at the first tick

    async def send(self, message: dict[str, object]) -> None:
        await self.send_frame(messages.frame(message))

    async def send_frame(self, frame: bytes) -> None:
        self.writer.write(frame)
        await asyncio.wait_for(self.writer.drain(), QUIET_LIMIT)


class MeshNode:
    def __init__(
        self,
        store: LocalStore,
        identity: DoorIdentity,
        clock: HybridClock,
        *,
        station: str,
        event_id: str,
        listen: tuple[str, int] | None = ("0.0.0.0", DEFAULT_PORT),  # noqa: S104 - the LAN
        addresses: Sequence[str] = (),
        on_learned: Callable[[int], None] | None = None,
        discover_mesh: str | None = None,
    ) -> None:
        self.store = store
        self.identity = identity
        self.clock = clock
        self.door_id = store.log.door_id
        if identity.door_id != self.door_id:
            raise ValueError("the certificate is another door's")
        self.station = station
        self.event_id = event_id
        self._listen = listen
        self._addresses = list(dict.fromkeys(addresses))
        self.on_learned = on_learned
        self.port: int | None = None
        self._peers: dict[str, PeerState] = {}
        self._connections: dict[str, _Connection] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._start_error: BaseException | None = None
        self._vector: dict[str, int] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        # No guest list yet (a door started without the server): taken from a door
        # of the same station that has one, page by page (docs/peers.md).
        self._needs_list = False
        self._list_from: str | None = None  # the door it is being taken from
        self._list_generation: int | None = None
        self._list_count = 0
        self._door_at: dict[str, str] = {}  # address -> the door found there
        # The mesh id to announce and look for with mDNS (None: typed addresses only).
        self._discover_mesh = discover_mesh
        self._discovery: Discovery | None = None
        self._client_context = identity.client_context()
        self._server_context = identity.server_context()
        # Connections not yet past their hello, oldest first (bounded: MAX_PENDING).
        self._pending: dict[_Pending, None] = {}
        self._refusals = _RefusalLog()
        self._persisted: dict[str, PeerRecord] = {}  # what is on disk of each door
        self._persisted_at = 0.0  # time.monotonic() of the last write
        # This door's own changes after a number, read and framed once for every
        # connection (a change made here goes to all the doors at once: with twenty,
        # nineteen reads and JSON encodings of the same batch, while a scan may be
        # waiting for the interpreter). Keyed by the number; emptied whenever a change
        # is made here (``_own_generation``).
        self._own_frames: dict[int, asyncio.Future[tuple[int, bytes | None]]] = {}

    # -- from any thread ---------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="doorcheck-mesh", daemon=True)
        self._thread.start()
        self._started.wait(30)
        if self._start_error is not None:
            raise self._start_error

    def stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(10)

    def nudge(self) -> None:
        """A change was made here: send it now (the check-in service calls this)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_all)

    def add_address(self, address: str) -> None:
        loop = self._loop
        if address in self._addresses or loop is None:
            return
        self._addresses.append(address)
        loop.call_soon_threadsafe(
            lambda: self._tasks.add(asyncio.ensure_future(self._dial(address)))
        )

    def peers(self) -> list[PeerStatus]:
        now = time.monotonic()
        vector = dict(self._vector)
        with self._lock:
            states = list(self._peers.values())
        shown = []
        for peer in sorted(states, key=lambda p: (p.station.casefold(), p.door_id)):
            since = now - peer.last_heard if peer.last_heard else None
            shown.append(
                PeerStatus(
                    door_id=peer.door_id,
                    station=peer.station,
                    address=peer.address,
                    connected=peer.connected,
                    last_heard=peer.heard_at,
                    seconds_since=since,
                    stale=since is None or since > STALE_SECONDS,
                    held=vector.get(peer.door_id, 0),
                    clock_offset_ms=peer.clock_offset_ms,
                    problem=peer.problem,
                    zone=peer.zone,
                )
            )
        return shown

    def nearby(self) -> int:
        """Doors heard from within the last 30 s."""
        return sum(1 for p in self.peers() if not p.stale)

    # -- the loop --------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(self._quiet_handler)
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:
            if not self._started.is_set():
                self._start_error = exc
            else:
                log.exception("the mesh node stopped")
        finally:
            self._started.set()
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        server = None
        if self._listen is not None:
            # Plain TCP, TLS started by ``_accepted``: asyncio's TLS server would
            # hold every socket through its handshake before the node sees it, with
            # no bound on how many (MAX_PENDING is kept from the first byte).
            server = await asyncio.start_server(self._accepted, self._listen[0], self._listen[1])
            self.port = server.sockets[0].getsockname()[1]
        self._vector = await asyncio.to_thread(self.store.log.vector)
        self._needs_list = await asyncio.to_thread(self.store.get_state, "cursor") is None
        self._tasks.add(asyncio.ensure_future(self._watch()))
        self._tasks.update(asyncio.ensure_future(self._dial(a)) for a in self._addresses)
        if self._discover_mesh is not None and self.port is not None:
            self._discovery = Discovery(self._discover_mesh, self.door_id, self.port,
                                        self.add_address)  # fmt: skip
            await asyncio.to_thread(self._discovery.start)
        self._started.set()
        log.info("mesh: door %s listening on port %s", self.door_id[:8], self.port)
        try:
            await self._stopping.wait()
        finally:
            if self._discovery is not None:
                await asyncio.to_thread(self._discovery.stop)
            if server is not None:
                server.close()
            self._refusals.close()
            for connection in list(self._connections.values()):
                connection.writer.close()
            # Every task of this loop: dials, the watch, and each connection's.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await asyncio.to_thread(self._persist_peers, everything=True)

    async def _watch(self) -> None:
        """Changes written by another process of this door (``doorcheck checkin``) and
        the peers' status on disk for ``doorcheck status``."""
        persisted = 0.0
        latest = -1
        watcher = _CommitWatcher(self.store)
        try:
            while True:
                # Four times a second: whether anything was committed at all (in
                # microseconds, on this thread); if so, one indexed look (the newest
                # change's number), and this door's own newest number only when a
                # change was written (the others' changes are taken by this node,
                # which knows them; the whole vector is a GROUP BY over the log, and
                # with twenty doors every intake is a commit).
                if watcher.committed():
                    newest = await asyncio.to_thread(self.store.log.newest)
                    if newest != latest:
                        latest = newest
                        own = await asyncio.to_thread(self.store.log.top, self.door_id)
                        if own > self._vector.get(self.door_id, 0):
                            self._wake_all()  # made here, perhaps by another process
                        self._vector = merged(self._vector, {self.door_id: own})
                if time.monotonic() - persisted > TICK_SECONDS:
                    persisted = time.monotonic()
                    await asyncio.to_thread(self._persist_peers)
                await asyncio.sleep(WATCH_SECONDS)
        finally:
            watcher.close()

    def _wake_all(self) -> None:
        """A change was made at this door: every connection looks for it."""
        self._own_frames.clear()  # read again: they end before this change
        for connection in list(self._connections.values()):
            connection.made_here = True
            connection.wake.set()

    async def _dial(self, address: str) -> None:
        """Keep a connection to the door at ``address``: dial, talk, dial again after a
        pause that grows while it cannot be reached. Not while that door is connected
        the other way (one connection per pair of doors is enough)."""
        pause = 1.0
        host, _, port_text = address.rpartition(":")
        host = host.strip("[]") or address
        port = int(port_text) if port_text.isdigit() else DEFAULT_PORT
        if not 0 < port < 65536:
            log.warning("mesh: %r is no address to reach a door at", address[:100])
            return
        stopping = self._stopping
        while stopping is None or not stopping.is_set():
            if self._door_at.get(address) in self._connections:
                await asyncio.sleep(TICK_SECONDS)
                continue
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(
                        host, port, ssl=self._client_context, server_hostname=None
                    ),
                    HANDSHAKE_SECONDS,
                )
            except ssl.SSLCertVerificationError as exc:
                if pause == 1.0:  # once per run of failures, not every retry
                    log.warning("mesh: %s is not a door of this event (%s)", address,
                                exc.verify_message or type(exc).__name__)  # fmt: skip
            except (OSError, TimeoutError, ssl.SSLError) as exc:
                _still_running()  # 3.11's wait_for may turn our cancellation into this
                log.debug("mesh: %s not reached (%s)", address, type(exc).__name__)
            except Exception as exc:  # one address never stops the dialling
                log.warning("mesh: dialling %s failed (%s)", address, type(exc).__name__)
            else:
                ended = await self._converse(reader, writer, address)
                if ended == "self":
                    return  # our own address: never dial it again
                if ended == "closed":
                    pause = 1.0  # it was a door we talked to: back soon
            await asyncio.sleep(pause)
            pause = min(pause * 2, 10.0)

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # No await before start_tls: the stream must not read the ClientHello itself.
        pending = self._admit(writer)
        # Cancelled at shutdown: Python 3.11's stream server asks a cancelled
        # handler for its exception and logs the answer as an error.
        with contextlib.suppress(asyncio.CancelledError):
            try:
                if len(self._connections) >= MAX_CONNECTIONS:
                    self._drop(pending, f"already connected with {MAX_CONNECTIONS} doors")
                    return
                try:
                    await writer.start_tls(
                        self._server_context, ssl_handshake_timeout=HANDSHAKE_SECONDS
                    )
                except ssl.SSLError as exc:
                    if not pending.dropped:
                        reason = exc.reason or type(exc).__name__
                        self._drop(pending, f"not a door of this event: {reason}")
                    return
                except (OSError, TimeoutError) as exc:
                    if not pending.dropped:  # it went away in its handshake
                        self._drop(pending, f"no handshake ({type(exc).__name__})")
                    return
                await self._converse(reader, writer, None, pending)
            finally:
                self._release(pending)
                writer.close()

    def _admit(self, writer: asyncio.StreamWriter) -> _Pending:
        """Count a connection just taken as pending until its hello, closing another
        (``_to_evict``) when MAX_PENDING are pending, and closing it when it has not
        got past its hello within HANDSHAKE_SECONDS."""
        peername = writer.get_extra_info("peername")
        pending = _Pending(str(peername[0]) if peername else "?", asyncio.current_task())
        while len(self._pending) >= MAX_PENDING:
            self._drop(_to_evict(self._pending), "too many connections in their handshake")
        self._pending[pending] = None
        pending.deadline = asyncio.get_running_loop().call_later(
            HANDSHAKE_SECONDS,
            self._drop,
            pending,
            f"no handshake and hello within {HANDSHAKE_SECONDS:g} s",
        )
        return pending

    def _release(self, pending: _Pending) -> None:
        """Past its hello (or ended): no longer pending."""
        self._pending.pop(pending, None)
        if pending.deadline is not None:
            pending.deadline.cancel()
            pending.deadline = None

    def _drop(self, pending: _Pending, reason: str) -> None:
        """Close a pending connection now and say so, at a bounded rate. Its task is
        cancelled, which closes the socket wherever the task waits (aborting the
        transport under ``start_tls`` instead leaves Python 3.11's StreamWriter
        without a transport)."""
        if pending.dropped:
            return
        pending.dropped = True
        self._release(pending)
        if pending.task is not None and pending.task is not asyncio.current_task():
            pending.task.cancel()
        self._refusals.note(pending.host, reason)

    async def _converse(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        address: str | None,
        pending: _Pending | None = None,
    ) -> str:
        """One connection from hello to its end; returns why it ended. ``pending``:
        a connection taken by the listener, no longer pending once past its hello."""
        connection: _Connection | None = None
        where = "?"
        try:
            tls = writer.get_extra_info("ssl_object")
            certified = certificate_door(tls.getpeercert() if tls is not None else None)
            peername = writer.get_extra_info("peername")
            where = f"{peername[0]}:{peername[1]}" if peername else "?"
            await self._send_raw(writer, await self._hello())
            hello = await asyncio.wait_for(messages.read_message(reader), HANDSHAKE_SECONDS)
            if hello.get("type") != "hello":
                raise PeerMessageError("the first message was not a hello")
            door = messages.door_id_of(hello, "door")
            if door != certified:
                # Kept against the door its certificate names, never the one it claims.
                if certified is not None:
                    self._note_problem(certified, hello, PeerProblem.WRONG_IDENTITY)
                raise PeerMessageError("says it is another door than its certificate")
            if pending is not None:
                self._release(pending)
            if address is not None:
                self._door_at[address] = door
            if door == self.door_id:
                return "self"
            if door in self._connections:
                # Already connected the other way: keep that one. Ours goes quiet.
                return "twice"
            peer = self._peer(door, messages.printable_of(hello, "station"))
            port = hello.get("port")
            if address is None and peername and type(port) is int and 0 < port < 65536:
                address = f"{peername[0]}:{port}"  # where it listens: passed on to others
            peer.address = address or peer.address
            peer.known = messages.vector_of(hello)
            peer.zone = messages.zone_of(hello)
            self._heard(peer, hello)
            connection = _Connection(self, writer, peer)
            self._connections[door] = connection
            peer.connected = True
            log.info("mesh: connected with door %s (%s)", door[:8], where)
            if (
                self._needs_list
                and self._list_from is None
                and hello.get("list") is True
                and peer.station.casefold() == self.station.casefold()
            ):
                self._list_from = door
                await connection.send({"type": "list", "after": 0})
            sender = asyncio.ensure_future(self._sender(connection))
            try:
                await self._reader(connection, reader)
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sender
            return "closed"
        except PeerMessageError as exc:
            log.warning("mesh: refused a message from %s: %s", where, exc)
            if connection is not None:
                connection.peer.problem = PeerProblem.MALFORMED
            return "refused"
        except TimeoutError:
            if connection is not None:
                connection.peer.problem = PeerProblem.SILENT
            log.info("mesh: %s stopped answering", where)
            return "silent"
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError) as exc:
            if pending is not None and pending.dropped:
                return "refused"  # closed by the node before its hello, and said so
            log.info("mesh: connection with %s ended (%s)", where, type(exc).__name__)
            return "ended"
        except Exception as exc:
            # A busy disk, a bug: that connection ends, said so; the node goes on.
            log.warning("mesh: connection with %s failed (%s)", where, type(exc).__name__)
            if connection is not None:
                connection.peer.problem = PeerProblem.FAILED
            return "failed"
        finally:
            if connection is not None and self._list_from == connection.peer.door_id:
                self._list_from = None  # asked again, from the start, of the next door
            if connection is not None:
                connection.peer.connected = False
                if self._connections.get(connection.peer.door_id) is connection:
                    del self._connections[connection.peer.door_id]
            writer.close()

    async def _reader(self, connection: _Connection, reader: asyncio.StreamReader) -> None:
        peer = connection.peer
        while True:
            message = await asyncio.wait_for(messages.read_message(reader), QUIET_LIMIT)
            kind = message["type"]
            if kind == "changes":
                offered = messages.changes_of(message)
                await self._take(connection, offered)
            elif kind == "want":
                peer.known = messages.vector_of(message)
                connection.catch_up = True
                connection.wake.set()
            elif kind == "tick":
                peer.known = merged(peer.known, messages.vector_of(message))
                self._heard(peer, message)
                self._learn_addresses(message.get("doors"))
                # Passed on only what it lacked at its last tick already and still
                # lacks: its origin (when connected to it) had a tick's time to push it,
                # so it is not on its way. Passing on all it lacks at once sent most
                # changes twice or more among twenty doors (a tick is often written
                # just before the change arrives), each a write at the other end.
                overdue = any(peer.known.get(o, 0) < n for o, n in connection.lacked.items())
                connection.lacked = {
                    o: n for o, n in self._vector.items() if peer.known.get(o, 0) < n
                }
                if overdue:
                    connection.catch_up = True  # it lacks what another door had
                    connection.wake.set()
                if any(self._vector.get(o, 0) < n for o, n in peer.known.items()):
                    connection.tick_wanted = True  # this door lacks what it has
            elif kind == "list":
                await self._send_page(connection, messages.count_of(message, "after"))
            elif kind == "guests":
                if self._list_from != peer.door_id:
                    raise PeerMessageError("a guest list not asked for")
                await self._take_page(connection, messages.page_of(message))
            else:
                raise PeerMessageError("a second hello")
            peer.last_heard = time.monotonic()
            peer.heard_at = datetime.now(UTC)

    async def _take(self, connection: _Connection, offered: list[LoggedChange]) -> None:
        peer = connection.peer
        if not offered:
            return
        accepted = await asyncio.to_thread(self.store.log.accept, offered)
        sent: dict[str, int] = {}
        for change in offered:
            sent[change.origin] = max(sent.get(change.origin, 0), change.seq)
        peer.known = merged(peer.known, sent)
        if accepted.refused:
            peer.problem = PeerProblem.REFUSED_CHANGE
        latest = max((c.door_time for c in accepted.taken), default=None)
        if latest is not None:
            try:
                self.clock.observe(stamp_of(latest, peer.door_id))
            except ClockDriftError:
                peer.problem = PeerProblem.CLOCK_AHEAD
            # Passed on to the other doors at their next tick, if they lack them then.
            self._vector = merged(self._vector, {c.origin: c.seq for c in accepted.taken})
            if self.on_learned is not None:
                self.on_learned(len(accepted.taken))
        if accepted.gaps:
            vector = await asyncio.to_thread(self.store.log.vector)
            await connection.send({"type": "want", "vector": vector})

    async def _send_page(self, connection: _Connection, after: int) -> None:
        """A page of this door's guest list, for a door of the same station without one."""
        if connection.peer.station.casefold() != self.station.casefold():
            raise PeerMessageError("a guest list asked for by another station's door")

        def read() -> dict[str, object]:
            rows = self.store.guests.raw_page(after, messages.MAX_PAGE_GUESTS)
            page: list[str] = []
            size = 0
            following: int | None = None
            for rownum, raw in rows:
                if page and size + len(raw) > messages.MAX_PAGE_BYTES:
                    break
                page.append(raw)
                size += len(raw)
                following = rownum
            return {
                "type": "guests",
                "guests": page,
                "next": following if page else None,
                "cursor": self.store.get_state("cursor") or "",
                "event": self.store.get_state("event") or "{}",
                "mode": self.store.get_state("mode") or "checkIn",
            }

        await connection.send(await asyncio.to_thread(read))

    async def _take_page(self, connection: _Connection, page: messages.GuestPage) -> None:
        def store() -> bool:
            if self._list_generation is None:
                self._list_generation = self.store.start_full_sync()
                self._list_count = 0
            self._list_count += self.store.write_wire(page.guests, generation=self._list_generation)
            if page.next is not None:
                return False
            self.store.set_states({"event": page.event, "mode": page.mode})
            self.store.finish_full_sync(self._list_generation, page.cursor)
            return True

        if page.next is not None:
            # Ask for the next page before storing this one: it travels while this
            # one is written.
            await connection.send({"type": "list", "after": page.next})
        if await asyncio.to_thread(store):
            log.info("mesh: took the guest list (%d guests) from door %s", self._list_count,
                     connection.peer.door_id[:8])  # fmt: skip
            self._needs_list = False
            self._list_from = None
            self._list_generation = None
            if self.on_learned is not None:
                self.on_learned(0)

    async def _sender(self, connection: _Connection) -> None:
        peer = connection.peer
        last_tick = 0.0
        told: tuple[dict[str, int], list[str]] | None = None  # the last tick's news
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connection.wake.wait(), TICK_SECONDS)
            connection.wake.clear()
            # This door's own changes go to every door at once; what it learned from
            # others it passes on only to a door that lacks it (a catch-up: on
            # connecting, a "want", or a tick that shows a gap). In a full mesh every
            # door has each change from its origin: relaying all at once would send
            # each change to each door once per door.
            everything, connection.catch_up = connection.catch_up, False
            origins = None if everything else (self.door_id,)
            # Nothing to look for in the store when, as far as this door knows, the
            # other holds all it could be sent (most wake-ups are the 2 s tick).
            made_here, connection.made_here = connection.made_here, False
            lacking = (
                made_here  # a change made here that the vector may not show yet
                or any(peer.known.get(o, 0) < n for o, n in self._vector.items())
                if everything
                else made_here
                or self._vector.get(self.door_id, 0) > peer.known.get(self.door_id, 0)
            )
            while lacking and not everything:
                top, frame = await self._own_changes(peer.known.get(self.door_id, 0))
                if frame is None:
                    break
                await connection.send_frame(frame)
                peer.known = merged(peer.known, {self.door_id: top})
            while lacking and everything:
                batch = await asyncio.to_thread(
                    self.store.log.after, dict(peer.known), BATCH, origins
                )
                if not batch:
                    break
                await connection.send(
                    {"type": "changes", "changes": [messages.change_to_json(c) for c in batch]}
                )
                peer.known = merged(peer.known, {c.origin: c.seq for c in batch})
            since = time.monotonic() - last_tick
            if since < TICK_SECONDS:
                continue
            news = (self._vector, self._known_addresses())
            # Nothing new for it, and it heard from this door lately: no tick.
            if news == told and not connection.tick_wanted and since < IDLE_TICK_SECONDS:
                continue
            last_tick = time.monotonic()
            told = (dict(news[0]), news[1])  # a copy, whatever happens to the vector
            connection.tick_wanted = False
            await connection.send(
                {
                    "type": "tick",
                    "clock": self._clock_text(),
                    "wall": wall_clock_ms(),
                    "vector": news[0],
                    "doors": news[1],
                }
            )

    async def _own_changes(self, since: int) -> tuple[int, bytes | None]:
        """This door's changes after number ``since`` (at most a batch) as one framed
        message, and the last one's number; no frame when there are none. Read and
        encoded once for all connections that lack the same, until a change is made
        here."""
        found = self._own_frames.get(since)
        if found is None:
            found = self._own_frames[since] = asyncio.ensure_future(self._read_own(since))

            def forget_failed(done: asyncio.Future[tuple[int, bytes | None]]) -> None:
                # A read that failed is not kept: the next wake-up reads again.
                failed = done.cancelled() or done.exception() is not None
                if failed and self._own_frames.get(since) is done:
                    del self._own_frames[since]

            found.add_done_callback(forget_failed)
        # Shielded: a connection that ends while waiting must not cancel the read the
        # other connections wait for.
        return await asyncio.shield(found)

    async def _read_own(self, since: int) -> tuple[int, bytes | None]:
        def read() -> tuple[int, bytes | None]:
            batch = self.store.log.after({self.door_id: since}, BATCH, (self.door_id,))
            if not batch:
                return since, None
            changes = [messages.change_to_json(c) for c in batch]
            return batch[-1].seq, messages.frame({"type": "changes", "changes": changes})

        return await asyncio.to_thread(read)

    # -- helpers -----------------------------------------------------------------------

    async def _hello(self) -> dict[str, object]:
        self._vector = await asyncio.to_thread(self.store.log.vector)
        own_zone = await asyncio.to_thread(self.store.zones.door_zone)
        zone = own_zone[1] if own_zone and own_zone[0] == self.station else None
        return {
            "type": "hello",
            "version": messages.PROTOCOL_VERSION,
            "door": self.door_id,
            "station": self.station,
            "event": self.event_id,
            "clock": self._clock_text(),
            "wall": wall_clock_ms(),
            "vector": self._vector,
            "port": self.port,
            "list": not self._needs_list,
            "zone": zone.to_json() if zone else None,
        }

    def _known_addresses(self) -> list[str]:
        """Where the connected doors listen, so every door can reach every other one
        directly (a door found through one door only would be cut off with it)."""
        with self._lock:
            return [p.address for p in self._peers.values() if p.connected and p.address][:64]

    def _learn_addresses(self, found: object) -> None:
        if not isinstance(found, list):
            return
        for address in found[:64]:
            if (
                isinstance(address, str)
                and 0 < len(address) <= 100
                and address not in self._addresses
                and len(self._addresses) < MAX_ADDRESSES
                and not self._is_mine(address)
            ):
                self._addresses.append(address)
                self._tasks.add(asyncio.ensure_future(self._dial(address)))

    def _is_mine(self, address: str) -> bool:
        host, _, port = address.rpartition(":")
        return port == str(self.port) and host in {"127.0.0.1", "localhost", self._listen_host()}

    def _listen_host(self) -> str:
        return self._listen[0] if self._listen else ""

    def _clock_text(self) -> str:
        return door_time(self.clock.now()).isoformat()

    @staticmethod
    async def _send_raw(writer: asyncio.StreamWriter, message: dict[str, object]) -> None:
        writer.write(messages.frame(message))
        await asyncio.wait_for(writer.drain(), HANDSHAKE_SECONDS)

    def _peer(self, door: str, station: str) -> PeerState:
        with self._lock:
            peer = self._peers.get(door)
            if peer is None:
                peer = self._peers[door] = PeerState(door, station)
            peer.station = station
            peer.problem = None
        return peer

    def _heard(self, peer: PeerState, message: dict[str, Any]) -> None:
        peer.last_heard = time.monotonic()
        peer.heard_at = datetime.now(UTC)
        wall = message.get("wall")
        if type(wall) is int and 0 <= wall < 2**53:
            peer.clock_offset_ms = wall - wall_clock_ms()
        try:
            seen = messages.time_of(message, "clock")
        except PeerMessageError:
            return
        try:
            self.clock.observe(stamp_of(seen, peer.door_id))
        except ClockDriftError:
            peer.problem = PeerProblem.CLOCK_AHEAD

    def _note_problem(self, door: str, hello: dict[str, Any], problem: str) -> None:
        with self._lock:
            known = self._peers.get(door)
        if known is None:
            station = hello.get("station")
            shown = station[: messages.MAX_TEXT] if isinstance(station, str) else "?"
            known = self._peer(door, shown)
        known.problem = problem

    def _quiet_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """A connection's TLS or network failure that reaches the loop is worth a line
        in the log (at a bounded rate), not a traceback."""
        exc = context.get("exception")
        if isinstance(exc, ssl.SSLError | ConnectionError | TimeoutError):
            self._refusals.note("?", f"{type(exc).__name__}: {exc}")
            return
        loop.default_exception_handler(context)

    def _persist_peers(self, *, everything: bool = False) -> None:
        """The doors as this one sees them, on disk for ``doorcheck status``, in one
        transaction: at once when something shown changed (a door, its address, its
        problem, its clock offset by a second), otherwise when the "heard" times are
        HEARD_PERSIST_SECONDS old on disk, and at stop (``everything``)."""
        with self._lock:
            peers = list(self._peers.values())
        records = [
            PeerRecord(p.door_id, p.station[: messages.MAX_TEXT], p.address, p.heard_at,
                       p.clock_offset_ms, p.problem, p.zone)
            for p in peers
        ]  # fmt: skip
        differences = [(r, _difference(self._persisted.get(r.door_id), r)) for r in records]
        due = [r for r, difference in differences if difference]
        aged = time.monotonic() - self._persisted_at >= HEARD_PERSIST_SECONDS
        if not due or not (everything or aged or any(d == 2 for _, d in differences)):
            return
        try:
            self.store.log.note_peers(due)
        except Exception as exc:  # a busy disk must not stop the mesh
            log.warning("mesh: the doors' status could not be saved (%s)", type(exc).__name__)
            return
        self._persisted.update((r.door_id, r) for r in due)
        self._persisted_at = time.monotonic()


def _difference(written: PeerRecord | None, now: PeerRecord) -> int:
    """How much a door's record differs from what is on disk: 0 not at all, 1 only in
    its "heard" time or by less than a second of clock offset (it moves at every
    tick), 2 in what ``doorcheck status`` should show at once (its zone among them)."""
    if written is None:
        return 2
    if written == now:
        return 0
    if (written.station, written.address, written.problem, written.zone) != (
        now.station,
        now.address,
        now.problem,
        now.zone,
    ):
        return 2
    if (written.last_heard is None) != (now.last_heard is None):
        return 2
    before, after = written.clock_offset_ms, now.clock_offset_ms
    if (before is None) != (after is None):
        return 2
    if before is not None and after is not None and abs(after - before) >= 1000:
        return 2
    return 1


class _CommitWatcher:
    """Whether anything was committed to the store since the last look, by any other
    connection of any process: SQLite's ``PRAGMA data_version`` on a connection of the
    node's thread. It answers in microseconds, where a query through the store's pool
    costs a thread hop and half a millisecond; four times a second, that query was a
    large part of an idle door's CPU. When the pragma cannot be read, it says "yes"
    (the store is looked at, as before). The connection is the store's own driver's,
    with its key: an encrypted store is read through SQLCipher."""

    def __init__(self, store: LocalStore) -> None:
        self._conn: Any = None
        self._seen: int | None = None
        if store.path.exists():
            with contextlib.suppress(StoreLockedError, *driver_errors()):
                # Autocommit: the pragma must not hold a read transaction open.
                self._conn = store.db.driver_connection(isolation_level=None)

    def committed(self) -> bool:
        if self._conn is None:
            return True
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except driver_errors():
            return True
        version = int(row[0]) if row else None
        changed = version is None or version != self._seen
        self._seen = version
        return changed

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _still_running() -> None:
    """Re-raise a cancellation that Python 3.11's ``wait_for`` turned into the awaited
    call's own error, so a stopping node is not kept alive by a retry loop."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
