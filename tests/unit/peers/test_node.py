"""One door's part of the mesh against doors that misbehave: real stores, real TLS
over loopback, the intruder speaking the protocol by hand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import struct
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.logs import setup_logging
from doorcheck.peers import node as node_module
from doorcheck.peers.node import MAX_CONNECTIONS, MAX_PENDING
from doorcheck.peers.trust import Pairing
from doorcheck.services.checkin import CheckInService
from doorcheck.store.cipher import StoreKey
from doorcheck.store.local import LocalStore
from tests.unit.peers.conftest import Door, Mesh, Peer, a_door_id, change_json, until


def checked_in(door: Door, code: str = "C1") -> bool:
    view = door.store.guest_by_code(code)
    return view is not None and view.guest.is_checked_in


def intruder(mesh: Mesh, door: Door, door_id: str | None = None) -> Peer:
    """A door of the event (it holds the secret) that the test drives by hand."""
    assert door.node.port is not None
    return Peer(door.node.port, mesh.identity(door_id or a_door_id()))


def connected(door: Door, other: Door) -> bool:
    return any(p.door_id == other.store.log.door_id and p.connected for p in door.node.peers())


@pytest.fixture
def short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The node's time bounds, shortened so a test sees them act (set before start)."""
    monkeypatch.setattr(node_module, "HANDSHAKE_SECONDS", 0.5)
    monkeypatch.setattr(node_module, "QUIET_LIMIT", 0.5)


# -- what holds ----------------------------------------------------------------------


def test_two_doors_exchange_a_check_in(mesh: Mesh) -> None:
    main = mesh.door("Main")
    side = mesh.door("Side", main)
    assert side.service.scan("C1").verdict.kind == VerdictKind.ADMIT
    until(lambda: checked_in(main), what="the check-in reaching Main")
    again = main.service.scan("C1", requested=Action.CHECK_IN)
    assert again.verdict.kind == VerdictKind.ALREADY_IN


def test_a_frame_announcing_4_gib_is_cut_off_and_the_mesh_goes_on(
    mesh: Mesh, caplog: pytest.LogCaptureFixture
) -> None:
    main = mesh.door("Main")
    bad = intruder(mesh, main)
    bad.hello()
    with caplog.at_level(logging.WARNING):
        bad.send_raw(b"\xff\xff\xff\xff" + b"x" * 1000)
        assert bad.closed()
        until(lambda: "a frame of 4294967295 bytes" in caplog.text, what="the reason logged")
    side = mesh.door("Side", main)
    side.service.scan("C1")
    until(lambda: checked_in(main), what="the mesh going on")


def test_a_silent_stranger_is_cut_off_at_the_handshake_bound(
    mesh: Mesh, short_limits: None
) -> None:
    main = mesh.door("Main")
    assert main.node.port is not None
    with socket.create_connection(("127.0.0.1", main.node.port), timeout=10) as raw:
        assert raw.recv(1) == b""  # closed by the door, not held forever


def test_a_handshake_trickled_byte_by_byte_is_cut_off(mesh: Mesh, short_limits: None) -> None:
    main = mesh.door("Main")
    assert main.node.port is not None
    hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64
    with socket.create_connection(("127.0.0.1", main.node.port), timeout=10) as raw:
        try:
            for byte in hello:
                raw.sendall(bytes([byte]))
                time.sleep(0.1)
            assert raw.recv(1) == b""
        except OSError:
            pass  # reset by the door: cut off as well


def test_a_frame_trickled_slower_than_the_quiet_bound_is_cut_off(
    mesh: Mesh, short_limits: None, caplog: pytest.LogCaptureFixture
) -> None:
    main = mesh.door("Main")
    slow = intruder(mesh, main)
    slow.hello()
    body = b'{"type":"tick","vector":{}}'
    data = len(body).to_bytes(4, "big") + body
    cut = False
    with caplog.at_level(logging.INFO):
        for byte in data:
            try:
                slow.send_raw(bytes([byte]))
            except OSError:
                cut = True
                break
            time.sleep(0.1)
        assert cut or slow.closed()
        until(lambda: "stopped answering" in caplog.text, what="the reason logged")


def test_a_hello_naming_another_door_than_the_certificate_is_refused(
    mesh: Mesh, caplog: pytest.LogCaptureFixture
) -> None:
    main = mesh.door("Main")
    liar = intruder(mesh, main)
    with caplog.at_level(logging.WARNING):
        liar.hello(door=a_door_id())
        assert liar.closed()
        until(lambda: "another door than its certificate" in caplog.text, what="logged")


def test_a_door_killed_mid_frame_leaves_the_mesh_working(
    mesh: Mesh, caplog: pytest.LogCaptureFixture
) -> None:
    main = mesh.door("Main")
    dying = intruder(mesh, main)
    dying.hello()
    dying.send_raw((1000).to_bytes(4, "big") + b'{"type":"changes","changes":[')
    # As SIGKILL leaves it: no close_notify, a reset.
    dying.tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    dying.tls.close()
    with caplog.at_level(logging.INFO):
        until(lambda: "ended" in caplog.text, what="the broken connection noted")
    side = mesh.door("Side", main)
    side.service.scan("C1")
    until(lambda: checked_in(main), what="the mesh going on")


def test_changes_from_a_door_with_a_clock_years_ahead_do_not_drag_the_clock(
    mesh: Mesh,
) -> None:
    main = mesh.door("Main")
    ahead = intruder(mesh, main)
    ahead.hello()
    ahead.send(
        {
            "type": "changes",
            "changes": [change_json(ahead.door_id, 1, doorTime="9999-12-31T23:59:59+00:00")],
        }
    )
    until(lambda: main.store.log.vector().get(ahead.door_id) == 1, what="the change taken")
    assert (
        main.service.door_clock.now().wall_ms < datetime(3000, 1, 1, tzinfo=UTC).timestamp() * 1000
    )
    until(lambda: any(p.problem == "clock-ahead" for p in main.node.peers()), what="flagged")


def test_a_want_flood_does_not_stop_the_other_doors(mesh: Mesh) -> None:
    main = mesh.door("Main")
    main.service.scan("C2")
    greedy = intruder(mesh, main)
    greedy.hello()
    for _ in range(300):
        greedy.send({"type": "want", "vector": {}})
    side = mesh.door("Side", main)
    side.service.scan("C1")
    until(lambda: checked_in(main), what="Main learning Side's check-in")
    until(lambda: side.store.guest_by_code("C2") is not None and checked_in(side, "C2"))


def test_no_secret_or_pairing_code_in_the_log_file(mesh: Mesh, tmp_path: Path) -> None:
    folder = tmp_path / "logs-here"
    log_file = setup_logging(logging.INFO, folder)
    assert log_file is not None
    logging.getLogger("doorcheck").setLevel(logging.DEBUG)
    try:
        main = mesh.door("Main")
        side = mesh.door("Side", main)
        side.service.scan("C1")
        until(lambda: checked_in(main))
        code = Pairing("event-1", mesh.secret, (main.address,)).text()
        Pairing.parse(code)
        bad = intruder(mesh, main)
        bad.hello()
        bad.send_raw(b"\x00\x00\x00\x05junk!")
        bad.closed()
        stranger_mesh = Mesh(tmp_path / "stranger")
        (tmp_path / "stranger").mkdir()
        assert main.node.port is not None
        with contextlib.suppress(ssl.SSLError, OSError):
            Peer(main.node.port, stranger_mesh.identity(a_door_id())).tls.recv(4)
        until(lambda: "refused a connection" in log_file.read_text())
    finally:
        logging.getLogger("doorcheck").setLevel(logging.NOTSET)
    text = log_file.read_text()
    assert "mesh:" in text  # the mesh did log
    assert mesh.secret.text() not in text
    assert code not in text
    assert code[len("DOORCHECK-PAIR:1:") :][:40] not in text
    assert mesh.secret.value.hex() not in text


def _next_tick(peer: Peer) -> dict[str, object]:
    while True:
        message = peer.receive()
        if message["type"] == "tick":
            return message


@pytest.fixture
def quick_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ticks every 50 ms, and no idle tick (a tick that says nothing new) for an hour."""
    monkeypatch.setattr(node_module, "TICK_SECONDS", 0.05)
    monkeypatch.setattr(node_module, "IDLE_TICK_SECONDS", 3600.0)


def test_an_idle_door_skips_ticks_that_say_nothing_new(mesh: Mesh, quick_ticks: None) -> None:
    main = mesh.door("Main")
    peer = intruder(mesh, main)
    peer.hello()
    assert _next_tick(peer)["vector"] == {}
    peer.tls.settimeout(0.5)  # ten ticks' time: none of them says anything new
    with pytest.raises(TimeoutError):
        _next_tick(peer)
    peer.tls.settimeout(10)
    main.service.scan("C1")
    assert _next_tick(peer)["vector"] == {main.store.log.door_id: 1}


def test_an_idle_door_still_ticks_now_and_then(mesh: Mesh, monkeypatch: pytest.MonkeyPatch) -> None:
    # The other door must hear a word within its quiet bound, however idle both are.
    monkeypatch.setattr(node_module, "TICK_SECONDS", 0.05)
    monkeypatch.setattr(node_module, "IDLE_TICK_SECONDS", 0.2)
    main = mesh.door("Main")
    peer = intruder(mesh, main)
    peer.hello()
    ticks = [_next_tick(peer) for _ in range(4)]
    assert all(t["vector"] == {} for t in ticks)


def test_a_door_that_holds_more_is_told_this_doors_vector(mesh: Mesh, quick_ticks: None) -> None:
    # Its tick shows changes this door lacks: this door's next tick says what it holds
    # (not an hour later), so the other door sends what it lacks.
    main = mesh.door("Main")
    peer = intruder(mesh, main)
    peer.hello()
    _next_tick(peer)
    peer.send({"type": "tick", "vector": {a_door_id(): 3}})
    assert _next_tick(peer)["vector"] == {}


def test_a_change_written_by_another_process_of_the_door_is_sent(mesh: Mesh) -> None:
    # As ``doorcheck checkin`` beside ``sync --watch``: another connection to the
    # door's store writes the change; the node sees the commit and sends it.
    main = mesh.door("Main")
    side = mesh.door("Side", main)
    until(lambda: connected(main, side), what="Side meeting Main")
    other = LocalStore.open(side.store.path)
    try:
        CheckInService(other, "Side", Mode.TOGGLE).scan("C1")
        until(lambda: checked_in(main), what="the check-in written beside Side's node")
    finally:
        other.close()


@pytest.mark.parametrize("key", [None, StoreKey.new()], ids=["plain", "encrypted"])
def test_the_commit_watcher_sees_commits_of_other_connections_only(
    tmp_path: Path, key: StoreKey | None
) -> None:
    # An encrypted door's watcher reads through SQLCipher with the store's key; with
    # sqlite3 it would fail and look at the store every time.
    store = LocalStore.open(tmp_path / "door.sqlite3", key)
    watcher = node_module._CommitWatcher(store)
    try:
        assert watcher.committed()  # the first look: whatever was there
        assert not watcher.committed()  # (failing reads would say "yes" every time)
        store.set_state("cursor", "1")
        assert watcher.committed()
        assert not watcher.committed()
    finally:
        watcher.close()
        store.close()


# -- what does not hold (xfail until fixed) ------------------------------------------


def _held_fds() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def _settled_fds() -> int:
    last, same = -1, 0
    while same < 5:
        time.sleep(0.05)
        now = _held_fds()
        same = same + 1 if now == last else 0
        last = now
    return last


def test_a_stranger_cannot_hold_hundreds_of_sockets_open(mesh: Mesh) -> None:
    main = mesh.door("Main")
    assert main.node.port is not None
    before = _settled_fds()
    opened = [socket.create_connection(("127.0.0.1", main.node.port)) for _ in range(300)]
    try:
        held_by_door = _settled_fds() - before - len(opened)
        assert held_by_door <= MAX_CONNECTIONS
    finally:
        for sock in opened:
            sock.close()


def test_a_real_door_connects_while_a_stranger_holds_hundreds_of_sockets(
    mesh: Mesh, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A deadline longer than the wait below: the stranger's sockets all stay within it,
    # so Side gets in only if a full set of pending handshakes does not lock doors out.
    monkeypatch.setattr(node_module, "HANDSHAKE_SECONDS", 120.0)
    main = mesh.door("Main")
    assert main.node.port is not None
    before = _settled_fds()
    with caplog.at_level(logging.WARNING, logger="doorcheck.peers"):
        opened = [socket.create_connection(("127.0.0.1", main.node.port)) for _ in range(300)]
        try:
            assert _settled_fds() - before - len(opened) <= MAX_PENDING
            side = mesh.door("Side", main)
            until(lambda: connected(main, side), what="Side meeting Main under the flood")
            assert side.service.scan("C1").verdict.kind == VerdictKind.ADMIT
            until(lambda: checked_in(main), what="Side's check-in reaching Main")
        finally:
            for sock in opened:
                sock.close()
    # The hundreds of refusals are said in a line or two, not one a socket.
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert 1 <= len(refusals) <= 3, [r.getMessage() for r in refusals]


def test_the_busiest_address_gives_way_first() -> None:
    door = node_module._Pending("10.0.0.2", None)
    flood = [node_module._Pending("10.0.0.9", None) for _ in range(3)]
    other = node_module._Pending("10.0.0.3", None)
    # Oldest first: a real door's handshake is older than the flood's sockets.
    assert node_module._to_evict([door, *flood, other]) is flood[0]
    # Equal shares: the oldest goes.
    assert node_module._to_evict([other, door]) is other


def test_a_door_answering_a_type_that_is_a_list_is_dialled_again(mesh: Mesh) -> None:
    identity = mesh.identity(a_door_id())
    context = identity.server_context()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            try:
                with context.wrap_socket(raw, server_side=True) as tls:
                    body = b'{"type":["hello"]}'
                    tls.sendall(len(body).to_bytes(4, "big") + body)
                    tls.settimeout(2)
                    while tls.recv(65536):
                        pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        main = mesh.door("Main")
        main.node.add_address(f"127.0.0.1:{port}")
        until(lambda: len(accepted) >= 1, what="the first dial")
        until(lambda: len(accepted) >= 2, timeout=3, what="a second dial after the garbage")
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_change_claiming_this_doors_own_origin_is_refused(mesh: Mesh) -> None:
    main = mesh.door("Main")
    forger = intruder(mesh, main)
    forger.hello()
    forger.send({"type": "changes", "changes": [change_json(main.store.log.door_id, 1)]})
    forger.send({"type": "tick", "vector": {}})
    for _ in range(50):  # the intake is a moment's work: taken by now, if at all
        if main.store.log.door_id in main.store.log.vector():
            break
        time.sleep(0.02)
    assert main.store.log.vector().get(main.store.log.door_id, 0) == 0
    assert not checked_in(main)


@pytest.mark.xfail(
    strict=True,
    reason="a change taking another origin's next number first (a forging door, or a "
    "door restored from a backup that numbers again) keeps the real one out: it is now "
    "refused and logged, but never reaches this door, and the guest it checked in is "
    "admitted a second time here (docs/peers.md, what a door of the event can do)",
)
def test_a_forged_number_does_not_hide_the_real_change(
    mesh: Mesh, caplog: pytest.LogCaptureFixture
) -> None:
    main = mesh.door("Main")
    side_store_door = mesh.door("Side", listen=False)  # not yet connected to Main
    side_id = side_store_door.store.log.door_id
    assert side_store_door.service.scan("C1").verdict.kind == VerdictKind.ADMIT  # Side's #1
    forger = intruder(mesh, main)
    forger.hello()
    forger.send({"type": "changes", "changes": [change_json(side_id, 1, guest="g2")]})
    until(lambda: main.store.log.vector().get(side_id) == 1, what="the forged #1 taken")
    side_store_door.node.add_address(main.address)
    until(lambda: connected(main, side_store_door), what="Side meeting Main")
    with caplog.at_level(logging.WARNING):
        try:
            until(lambda: checked_in(main), timeout=2, what="Side's real check-in at Main")
        finally:
            # Whatever happened, it was said in the log, and Main does not admit again.
            assert "refused" in caplog.text or checked_in(main)
    again = main.service.scan("C1", requested=Action.CHECK_IN)
    assert again.verdict.kind == VerdictKind.ALREADY_IN


def test_a_check_in_dated_years_ahead_is_kept_but_not_counted(mesh: Mesh) -> None:
    # A door whose date is wrong by years: its change is kept (so its later changes
    # still follow), set aside as not counted, and the guest is admitted here now.
    main = mesh.door("Main")
    ahead = intruder(mesh, main)
    ahead.hello()
    ahead.send(
        {
            "type": "changes",
            "changes": [change_json(ahead.door_id, 1, doorTime="9999-12-31T23:59:59+00:00")],
        }
    )
    until(lambda: main.store.log.vector().get(ahead.door_id) == 1, what="the change kept")
    assert not checked_in(main)
    noted = [
        c
        for c in main.store.changes()
        if c.nonce.startswith(ahead.door_id[:8]) or c.note == "clock-ahead"
    ]
    assert [c.note for c in noted] == ["clock-ahead"]
    assert main.service.scan("C1").verdict.kind == VerdictKind.ADMIT


def test_addresses_gossiped_by_one_door_are_bounded(mesh: Mesh) -> None:
    # Every address leads to a socket that takes the connection and never answers,
    # so the dials hang in their handshake (and the node stops cleanly after).
    with socket.create_server(("0.0.0.0", 0), backlog=1024) as sink:  # noqa: S104
        port = sink.getsockname()[1]
        main = mesh.door("Main")
        gossip = intruder(mesh, main)
        gossip.hello()
        for tick in range(3):
            doors = [f"127.0.{tick + 1}.{host}:{port}" for host in range(1, 65)]
            gossip.send({"type": "tick", "vector": {}, "doors": doors})
        until(lambda: len(main.node._addresses) >= 64, what="the first tick's addresses")
        for _ in range(25):  # the other ticks, if they are taken at all
            time.sleep(0.02)
        assert len(main.node._addresses) <= 64
        main.node.stop()


def test_stop_stops_the_node_while_a_dial_is_failing(
    mesh: Mesh, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = mesh.door("Main")
    stopping = main.node._stopping
    assert stopping is not None

    async def refused_as_it_stops(*args: object, **kwargs: object) -> object:
        """A connection attempt that fails at the instant the node stops (the race that
        hundreds of gossiped dead addresses make likely, here made certain)."""
        with contextlib.suppress(asyncio.CancelledError):
            await stopping.wait()
        raise ConnectionRefusedError("refused")

    monkeypatch.setattr(asyncio, "open_connection", refused_as_it_stops)
    main.node.add_address("127.0.0.1:9")
    time.sleep(0.3)  # the dial is under way
    main.node.stop()
    mesh.doors.remove(main)  # a node that did not stop is left to die with the process
    thread = main.node._thread
    assert thread is not None and not thread.is_alive()


def test_an_absurd_wall_clock_is_not_taken(mesh: Mesh) -> None:
    main = mesh.door("Main")
    odd = intruder(mesh, main)
    odd.hello(wall=10**30)
    until(lambda: any(p.door_id == odd.door_id and p.connected for p in main.node.peers()))
    offsets = [p.clock_offset_ms for p in main.node.peers() if p.door_id == odd.door_id]
    assert offsets[0] is None or abs(offsets[0]) < 10**15


def test_a_liar_does_not_rename_the_door_it_names(mesh: Mesh) -> None:
    main = mesh.door("Main")
    side = mesh.door("Side", main)
    until(lambda: connected(main, side), what="Side meeting Main")
    liar = intruder(mesh, main)
    liar.hello(door=side.store.log.door_id, station="Hacked")
    liar.closed()
    shown = [p for p in main.node.peers() if p.door_id == side.store.log.door_id]
    assert shown[0].station == "Side" and shown[0].problem is None


@pytest.mark.xfail(
    strict=True,
    reason="any holder of the secret can make a certificate for any door id; one "
    "connected first under a real door's id keeps that door out ('twice': the first "
    "connection is kept), so one bad peer stops another",
)
def test_an_impostor_does_not_keep_the_real_door_out(mesh: Mesh) -> None:
    main = mesh.door("Main")
    side = mesh.door("Side", listen=False)
    impostor = intruder(mesh, main, door_id=side.store.log.door_id)
    impostor.hello(station="Side")
    until(lambda: connected(main, side), what="the impostor taken for Side")
    stop = threading.Event()

    def keep_alive() -> None:
        while not stop.wait(0.2):
            try:
                impostor.send({"type": "tick", "vector": {}})
            except OSError:
                return

    thread = threading.Thread(target=keep_alive, daemon=True)
    thread.start()
    try:
        side.node.add_address(main.address)
        side.service.scan("C1")
        until(lambda: checked_in(main), timeout=3, what="Side's check-in at Main")
    finally:
        stop.set()
        thread.join(5)
        impostor.close()


# -- what is passed on --------------------------------------------------------------


def _next_changes(peer: Peer) -> list[dict[str, object]]:
    while True:
        message = peer.receive()
        if message["type"] == "changes":
            changes = message["changes"]
            assert isinstance(changes, list)
            return changes


def _learned_from(main: Door, origin: Peer) -> None:
    origin.hello()
    origin.send({"type": "changes", "changes": [change_json(origin.door_id, 1)]})
    until(
        lambda: any(p.door_id == origin.door_id and p.held == 1 for p in main.node.peers()),
        what="the change taken",
    )


def test_a_change_on_its_way_from_its_origin_is_not_passed_on(mesh: Mesh) -> None:
    # Every door pushes its own changes to every door at once. A door whose tick
    # lacks a change it is about to get from the change's origin is not sent it
    # again by this door (among twenty doors that sent most changes twice or more).
    main = mesh.door("Main")
    main_id = main.store.log.door_id
    listener = intruder(mesh, main)
    listener.hello()
    origin = intruder(mesh, main)
    _learned_from(main, origin)
    listener.send({"type": "tick", "vector": {}})  # written before the change came
    main.service.scan("C2")
    got = _next_changes(listener)
    # By its next tick it has it, from its origin: nothing is passed on.
    listener.send({"type": "tick", "vector": {origin.door_id: 1, main_id: 1}})
    main.service.scan("C2", requested=Action.CHECK_OUT)
    while not any(c["origin"] == main_id and c["seq"] == 2 for c in got):
        got += _next_changes(listener)
    assert {c["origin"] for c in got} == {main_id}


def test_a_change_still_lacking_at_the_next_tick_is_passed_on(mesh: Mesh) -> None:
    # Its origin is not connected to that door (or went away): this door passes it on.
    main = mesh.door("Main")
    listener = intruder(mesh, main)
    listener.hello()
    origin = intruder(mesh, main)
    _learned_from(main, origin)
    listener.send({"type": "tick", "vector": {}})
    listener.send({"type": "tick", "vector": {}})
    got = _next_changes(listener)
    assert [(c["origin"], c["seq"]) for c in got] == [(origin.door_id, 1)]
