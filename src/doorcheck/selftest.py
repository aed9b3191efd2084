"""``doorcheck self-test``: is this installation whole? One line per check.

Run headless on a fresh install (the frozen build, the installed .deb): it opens a
temporary store, decodes the bundled sample ticket, plays a Motion-JPEG reel,
round-trips a check-in of that code with a station server started inside this
process, prints the calibration sheet, then draws the kiosk window offscreen in both
languages. Each check touches a part a frozen build can lose (a library, a plugin,
a data file). Nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from doorcheck.resources import resource

SAMPLE_CODE = "DC-SELFTEST-7Q2M"  # what resources/sample-ticket.jpg carries


@dataclass
class Context:
    work: Path
    code: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


def check_store(context: Context) -> str:
    from doorcheck.store.local import LocalStore

    store = LocalStore.open(context.work / "store" / "door.sqlite3")
    try:
        status = store.status()
    finally:
        store.close()
    return f"migrated and opened ({status.guests} guests)"


def check_encrypted_store(context: Context) -> str:
    """SQLCipher, bundled in sqlcipher3: an encrypted door's store written, shut to
    another key, and opened again with its own (docs/security.md)."""
    from doorcheck.store.cipher import StoreKey, StoreLockedError, sqlcipher
    from doorcheck.store.local import LocalStore

    path = context.work / "encrypted" / "door.sqlite3"
    key = StoreKey.new()
    store = LocalStore.open(path, key)
    try:
        store.set_setting("self-test", SAMPLE_CODE)
    finally:
        store.close()
    try:
        LocalStore.open(path, StoreKey.new()).close()
    except StoreLockedError:
        pass
    else:
        raise AssertionError("another key opened the encrypted store")
    store = LocalStore.open(path, key)
    try:
        if store.get_setting("self-test") != SAMPLE_CODE:
            raise AssertionError("the encrypted store lost what was written")
    finally:
        store.close()
    version = sqlcipher().connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    return f"SQLCipher {version}: written, refused to another key, read back"


def check_decode(context: Context) -> str:
    from doorcheck.scan.decoder import Decoder
    from doorcheck.scan.frames import read_image

    codes = Decoder().decode(read_image(resource("sample-ticket.jpg")))
    texts = [code.text for code in codes]
    if texts != [SAMPLE_CODE]:
        raise AssertionError(f"read {texts!r}, expected {SAMPLE_CODE!r}")
    context.code = texts[0]
    return f"{codes[0].format} {texts[0]}"


def check_video(context: Context) -> str:
    """The demo's ticket reel: Motion-JPEG written and played back by this OpenCV.

    The Linux installer ships an OpenCV without FFmpeg; this is the video path it keeps.
    """
    from doorcheck.scan.decoder import Decoder
    from doorcheck.scan.frames import video_frames
    from doorcheck.scan.synthetic import ticket_reel

    reel = context.work / "reel.avi"
    ticket_reel([SAMPLE_CODE], str(reel), fps=5.0, seconds_each=1.0, gap=0.4)
    decoder = Decoder()
    read: set[str] = set()
    frames = 0
    for frames, frame in enumerate(video_frames(reel), start=1):
        read.update(code.text for code in decoder.decode(frame, retry=frames))
    if read != {SAMPLE_CODE}:
        raise AssertionError(f"read {sorted(read)!r} from the reel, expected {SAMPLE_CODE!r}")
    return f"Motion-JPEG reel of {frames} frames played and read"


def check_mesh(context: Context) -> str:
    """Two doors of one event on loopback: TLS 1.3 from a mesh secret (this OpenSSL),
    a change passed from one to the other (docs/peers.md); discovery's library loads."""
    from datetime import UTC, datetime

    import zeroconf

    from doorcheck.domain.changes import Action
    from doorcheck.domain.hlc import HybridClock
    from doorcheck.domain.replication import LoggedChange
    from doorcheck.peers.node import MeshNode
    from doorcheck.peers.trust import MeshSecret, door_identity
    from doorcheck.store.local import LocalStore

    secret = MeshSecret.new()
    stores: list[LocalStore] = []
    nodes: list[MeshNode] = []
    try:
        for name in ("first", "second"):
            folder = context.work / "mesh" / name
            store = LocalStore.open(folder / "door.sqlite3")
            stores.append(store)
            door = store.log.door_id
            node = MeshNode(store, door_identity(secret, door, folder / "keys"),
                            HybridClock(door), station=name, event_id="self-test",
                            listen=("127.0.0.1", 0),
                            addresses=[f"127.0.0.1:{nodes[0].port}"] if nodes else [])  # fmt: skip
            node.start()
            nodes.append(node)
        elsewhere = "f" * 32  # a change the first door learned from a third
        stores[0].log.accept([LoggedChange(elsewhere, 1, "self-test-1", "g", Action.CHECK_IN,
                                           datetime.now(UTC), "third")])  # fmt: skip
        nodes[0].nudge()
        deadline = time.monotonic() + 20
        while stores[1].log.vector().get(elsewhere) != 1:
            if time.monotonic() > deadline:
                raise AssertionError("the change did not reach the other door")
            time.sleep(0.05)
    finally:
        for node in nodes:
            node.stop()
        for store in stores:
            store.close()
    return f"a change passed between two doors over TLS (zeroconf {zeroconf.__version__})"


def check_round_trip(context: Context) -> str:
    """A door opened as every door is (session.door), against the reference server:
    logged in, synced, the decoded ticket checked in and uploaded, the server's answer
    kept."""
    from doorcheck.domain.changes import Action
    from doorcheck.domain.verdict import VerdictKind
    from doorcheck.server.repository import GuestInput
    from doorcheck.server.serve import open_repository, serve_in_thread
    from doorcheck.session.door import open_door
    from doorcheck.session.results import GivenLogin

    if context.code is None:
        raise AssertionError("no code: the decode check failed")
    repository = open_repository(f"sqlite:///{context.work / 'server.sqlite3'}")
    event = repository.create_event("Self-test")
    station = repository.create_station(event, "Self-test door")
    repository.add_guests(
        event, [GuestInput({"firstName": "Self", "lastName": "Test"}, access_code=context.code)]
    )
    with serve_in_thread(repository) as url:
        given = GivenLogin(url, event, station.app_code, "Self-test door")
        with open_door(context.work / "door", given) as door:
            synced = door.sync_once()
            if synced.guests != 1:
                raise AssertionError(f"first sync brought {synced.guests} guests, expected 1")
            done = door.check(context.code, Action.CHECK_IN)
            if done.outcome.verdict.kind != VerdictKind.ADMIT:
                raise AssertionError(f"verdict {done.outcome.verdict.kind.value}, expected admit")
            if done.upload != "uploaded":
                raise AssertionError(f"the check-in was not uploaded: {done.upload}")
            answered = [change.state for change in door.store.changes()]
            if answered != ["applied"]:
                raise AssertionError(f"the server answered {answered}, expected applied")
    repository.engine.dispose()
    return f"admitted, uploaded and applied on {url}"


def check_printing(context: Context) -> str:
    """The USB scanners' calibration sheet as PDF and PNG (Pillow, its fonts), read back."""
    from doorcheck.domain.wedge import CALIBRATION_CODE
    from doorcheck.scan.calibration import write_calibration_sheet
    from doorcheck.scan.decoder import Decoder
    from doorcheck.scan.frames import read_image

    pdf = write_calibration_sheet(context.work / "calibration.pdf")
    if not pdf.read_bytes().startswith(b"%PDF"):
        raise AssertionError("the calibration sheet's PDF is not a PDF")
    png = write_calibration_sheet(context.work / "calibration.png")
    codes = Decoder().decode(read_image(png))
    if sorted(code.text for code in codes) != [CALIBRATION_CODE, CALIBRATION_CODE]:
        raise AssertionError(f"read {[code.text for code in codes]!r} from the sheet")
    return "calibration sheet written as PDF and PNG, both codes read back"


def check_window(context: Context) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from doorcheck.ui.i18n import install_language
    from doorcheck.ui.main_window import KioskWindow
    from doorcheck.ui.statistics_panel import StatisticsPanel

    def quiet(kind: QtMsgType, _context: object, message: str) -> None:
        # The offscreen platform's one harmless complaint; anything else is shown.
        if "propagateSizeHints" not in message:
            print(f"Qt: {message}")

    qInstallMessageHandler(quiet)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    titles = []
    for language in ("de", "en"):
        install_language(app, language)
        window = KioskWindow("Self-test", "Self-test door", "checkIn", None, StatisticsPanel())
        window.resize(1366, 768)
        image = window.grab()
        if image.isNull() or image.width() < 1000:
            raise AssertionError("the window did not draw")
        titles.append(window.scan.verdict.title.text())
        window.deleteLater()
    app.processEvents()
    if titles != ["Bereit", "Ready"]:
        raise AssertionError(f"translations not loaded: {titles}")
    return f"drawn offscreen by Qt {app.platformName()}, German and English"


def check_badge(context: Context) -> str:
    """A badge through QtPrintSupport to PDF (its plugin and libraries are in the
    build), and its QR code read back from the same painting on an image."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPrintSupport import QPrinterInfo

    from doorcheck.domain.badge import LABEL_SIZES, BadgeText
    from doorcheck.scan.decoder import Decoder
    from doorcheck.scan.frames import read_image
    from doorcheck.ui.badge import paint_badge, print_badge

    text, size = BadgeText("Self Test", "doorcheck", SAMPLE_CODE), LABEL_SIZES["dymo"]
    pdf = context.work / "badge.pdf"
    print_badge(text, size, pdf=pdf)
    if pdf.stat().st_size < 1000:
        raise AssertionError("the badge's PDF is empty")
    image = QImage(round(size.width_mm * 8), round(size.height_mm * 8), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_badge(painter, QRectF(image.rect()), text, size)
    painter.end()
    png = context.work / "badge.png"
    image.save(str(png))
    codes = [code.text for code in Decoder().decode(read_image(png))]
    if codes != [SAMPLE_CODE]:
        raise AssertionError(f"read {codes!r} from the badge")
    printers = len(QPrinterInfo.availablePrinterNames())
    return f"badge printed to PDF, its code read back; {printers} printer(s) here"


def check_sounds(context: Context) -> str:
    import wave

    names = ("admit", "careful", "deny")
    for name in names:
        with wave.open(str(resource("sounds", f"{name}.wav"))) as sound:
            if sound.getnframes() == 0:
                raise AssertionError(f"{name}.wav is empty")
    from doorcheck.ui.sounds import find_player

    player = find_player()
    return "3 sounds; " + (f"played with {player[0]}" if player else "no sound player here")


CHECKS: list[tuple[str, Callable[[Context], str]]] = [
    ("local store", check_store),
    ("encrypted store", check_encrypted_store),
    ("decode the sample ticket", check_decode),
    ("play a video", check_video),
    ("check-in round trip", check_round_trip),
    ("doors nearby", check_mesh),
    ("print a sheet", check_printing),
    ("kiosk window", check_window),
    ("badge", check_badge),
    ("sounds", check_sounds),
]


def run(print_line: Callable[[str], None] = print, verbose: bool = False) -> int:
    from doorcheck import __version__

    print_line(f"doorcheck {__version__} self-test")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="doorcheck-selftest-") as tmp:
        context = Context(Path(tmp))
        for name, check in CHECKS:
            started = time.perf_counter()
            try:
                detail = check(context)
            except Exception as exc:
                failed += 1
                print_line(f"FAIL {name}: {type(exc).__name__}: {exc}")
                if verbose:
                    print_line(traceback.format_exc())
            else:
                took = (time.perf_counter() - started) * 1000
                print_line(f"ok   {name}: {detail} ({took:.0f} ms)")
    print_line("all checks passed" if not failed else f"{failed} check(s) failed")
    return 1 if failed else 0
