"""Reading tickets from frames: decoding, debouncing, the camera scanner, USB scanners.

Frames are made by doorcheck.scan.synthetic; the shared photo set is for benchmarks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from doorcheck.domain.debounce import Debouncer
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.domain.wedge import (
    CALIBRATION_CODE,
    LAYOUTS,
    Calibrated,
    Scanned,
    Typed,
    WedgeDetector,
    detect_layout,
)
from doorcheck.scan import synthetic as F
from doorcheck.scan.decoder import Decoder
from doorcheck.scan.frames import (
    FrameSourceError,
    folder_frames,
    unreadable_video,
    video_codecs_built_in,
    video_frames,
)
from doorcheck.scan.scanner import CameraScanner, ScanEvent
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from tests.support import full_sync, wire

TICKET = "DC-7Q2MX9K4"


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder()


def texts(decoder: Decoder, frame: np.ndarray) -> list[str]:
    return sorted(code.text for code in decoder.decode(frame))


@pytest.mark.parametrize(
    ("name", "frame"),
    [
        ("phone screen (moire)", lambda: F.ticket_frame(TICKET)),
        ("printed ticket", lambda: F.ticket_frame(TICKET, phone=False)),
        ("small code, 3 px modules", lambda: F.ticket_frame(TICKET, module=3)),
        ("turned 45 degrees", lambda: F.ticket_frame(TICKET, angle=45)),
        ("turned upside down", lambda: F.ticket_frame(TICKET, angle=180)),
        ("held at a slant", lambda: F.ticket_frame(TICKET, tilt=0.06)),
        ("out of focus", lambda: F.blur(F.ticket_frame(TICKET), 2.0)),
        (
            "dim screen, low contrast",
            lambda: F.jpeg(
                F.place(F.background(), F.phone_screen(F.qr(TICKET, 5), contrast=0.25), (640, 360))
            ),
        ),
        ("glare", lambda: F.glare(F.ticket_frame(TICKET), (600, 330))),
    ],
)
def test_tickets_are_read_from_hard_frames(decoder: Decoder, name: str, frame: object) -> None:
    assert texts(decoder, frame()) == [TICKET], name  # type: ignore[operator]


def test_two_codes_in_one_frame_are_both_read(decoder: Decoder) -> None:
    frame = F.place(
        F.place(F.background(2), F.qr("AAA-111", 5), (400, 360)), F.qr("BBB-222", 5), (900, 360)
    )
    assert texts(decoder, F.jpeg(frame)) == ["AAA-111", "BBB-222"]


@pytest.mark.parametrize("seed", range(8))
def test_frames_without_a_code_give_nothing(decoder: Decoder, seed: int) -> None:
    frame = F.glare(F.jpeg(F.background(seed)), (300 + seed * 80, 300))
    assert decoder.decode(frame) == []
    assert decoder.decode(frame, retry=seed) == []


@pytest.mark.parametrize("kind", ["Code128", "PDF417", "Aztec", "DataMatrix"])
def test_the_other_default_formats(decoder: Decoder, kind: str) -> None:
    symbol = zxingcpp.create_barcode("DC-12345678", getattr(zxingcpp.BarcodeFormat, kind))
    image = np.array(zxingcpp.write_barcode_to_image(symbol, scale=4))
    image = cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    frame = F.jpeg(F.place(F.background(), image, (640, 360), angle=5))
    (code,) = decoder.decode(frame)
    assert code.text == "DC-12345678"
    assert code.format.replace(" ", "").lower().startswith(kind.lower()[:4])


def test_formats_can_be_restricted(decoder: Decoder) -> None:
    only_codes128 = Decoder(["Code128"])
    assert only_codes128.decode(F.ticket_frame(TICKET)) == []
    with pytest.raises(ValueError, match="unknown barcode format"):
        Decoder(["QRCodez"])


def test_control_characters_survive_in_plain_text_mode(decoder: Decoder) -> None:
    payload = "DC\x1d123\x1e456"  # GS and RS, as GS1 and ISO 15434 data carry
    frame = F.place(F.background(), F.qr(payload, 6), (640, 360))
    (code,) = decoder.decode(frame)
    assert code.text == payload
    assert code.raw == payload.encode()


def test_corners_locate_the_code(decoder: Decoder) -> None:
    (code,) = decoder.decode(F.place(F.background(), F.qr(TICKET, 6), (300, 200)))
    xs = [x for x, _ in code.corners]
    ys = [y for _, y in code.corners]
    assert 200 < sum(xs) / 4 < 400 and 120 < sum(ys) / 4 < 280


# -- one presentation, one scan -------------------------------------------------------


def test_a_code_held_in_view_is_one_scan() -> None:
    debouncer = Debouncer(gone_after=0.8, repeat_after=4.0)
    emitted = [debouncer.feed(t / 30, ["A"]) for t in range(60)]  # two seconds
    assert sum(len(e) for e in emitted) == 1


def test_a_code_shown_again_after_leaving_is_a_new_scan() -> None:
    debouncer = Debouncer(gone_after=0.8)
    assert debouncer.feed(0.0, ["A"]) == ["A"]
    assert debouncer.feed(0.5, []) == []
    assert debouncer.feed(2.0, ["A"]) == ["A"]


def test_a_code_held_for_long_is_answered_again() -> None:
    debouncer = Debouncer(gone_after=0.8, repeat_after=4.0)
    hits = [t for t in range(0, 90) if debouncer.feed(t / 10, ["A"])]
    assert hits == [0, 40, 80]


def test_several_codes_in_a_frame_each_count_once() -> None:
    debouncer = Debouncer()
    assert debouncer.feed(0.0, ["A", "B", "A"]) == ["A", "B"]
    assert debouncer.feed(0.1, ["A", "B", "C"]) == ["C"]


# -- the camera scanner ---------------------------------------------------------------


@pytest.fixture
def door(tmp_path: Path) -> CheckInService:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    full_sync(store, [wire("g1", TICKET, "Jane", "Doe")])
    return CheckInService(store, "Main Entrance", Mode.CHECK_IN)


def run_scanner(
    open_frames: Callable[[], Iterator[np.ndarray]],
    seconds: float = 20.0,
    until: int = 2,
    decoder: Decoder | None = None,
    debouncer: Debouncer | None = None,
    reconnect_every: float = 1.0,
) -> tuple[list[ScanEvent], list[str | None]]:
    events: list[ScanEvent] = []
    problems: list[str | None] = []
    scanner = CameraScanner(
        open_frames,
        events.append,
        on_problem=problems.append,
        decoder=decoder,
        debouncer=debouncer,
        reconnect_every=reconnect_every,
    )
    scanner.start()
    deadline = time.monotonic() + seconds
    while len(events) < until and time.monotonic() < deadline:
        time.sleep(0.02)
    scanner.stop()
    return events, problems


def test_camera_to_verdict_from_a_video_file(tmp_path: Path, door: CheckInService) -> None:
    video = tmp_path / "reel.avi"
    ticket, empty = F.ticket_frame(TICKET), F.jpeg(F.background(5))
    F.write_video(str(video), [ticket] * 12 + [empty] * 20 + [ticket] * 12, fps=20)
    events, _ = run_scanner(
        lambda: video_frames(video, pace=True), debouncer=Debouncer(gone_after=0.5)
    )
    assert [e.payload for e in events] == [TICKET, TICKET]
    assert events[0].source == "camera" and events[0].corners is not None
    assert events[0].frame_size == (1280, 720)
    verdicts = [door.scan(e.payload, e.source).verdict.kind for e in events]
    assert verdicts == [VerdictKind.ADMIT, VerdictKind.ALREADY_IN]


def test_a_camera_that_goes_away_is_reopened(tmp_path: Path) -> None:
    attempts: list[int] = []

    def flaky() -> Iterator[np.ndarray]:
        attempts.append(1)
        if len(attempts) == 1:
            raise FrameSourceError(
                "Camera 0 cannot be opened: it may be in use by another program."
            )
        if len(attempts) == 2:
            yield F.ticket_frame("FIRST-1")
            raise FrameSourceError("Camera 0 stopped sending pictures (unplugged?)")
        while True:
            yield F.ticket_frame("SECOND-2")
            time.sleep(0.05)

    events, problems = run_scanner(flaky, reconnect_every=0.05)
    assert [e.payload for e in events] == ["FIRST-1", "SECOND-2"]
    assert any(p and "in use" in p for p in problems)
    assert any(p and "unplugged" in p for p in problems)
    assert problems[-1] is None  # cleared once pictures come again


def test_the_newest_frame_wins_while_decoding_is_busy() -> None:
    slow = Decoder()
    original = slow.decode

    def slow_decode(image: np.ndarray, *, retry: int | None = None) -> list:  # type: ignore[type-arg]
        time.sleep(0.2)
        return original(image, retry=retry)

    slow.decode = slow_decode  # type: ignore[method-assign]
    sent = threading.Event()

    def fast() -> Iterator[np.ndarray]:
        for _ in range(40):
            yield F.jpeg(F.background(1))
            time.sleep(0.01)
        yield F.ticket_frame("LAST-1")
        sent.set()
        while True:
            time.sleep(0.05)
            yield F.ticket_frame("LAST-1")

    events, _ = run_scanner(fast, until=1, decoder=slow)
    assert [e.payload for e in events] == ["LAST-1"]


def test_frames_from_a_folder(tmp_path: Path) -> None:
    for index, payload in enumerate(["A-1", "B-2"]):
        cv2.imwrite(str(tmp_path / f"{index}.png"), F.ticket_frame(payload))
    decoder = Decoder()
    found = [decoder.decode(frame)[0].text for frame in folder_frames(tmp_path)]
    assert found == ["A-1", "B-2"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(FrameSourceError, match="holds no images"):
        list(folder_frames(tmp_path / "empty"))


def test_a_broken_video_is_refused_in_words(tmp_path: Path) -> None:
    broken = tmp_path / "door.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))
    with pytest.raises(FrameSourceError) as refused:
        next(video_frames(broken))
    assert str(broken) in str(refused.value)
    # Without FFmpeg (the Linux installer's OpenCV) the message names what does play.
    expected = unreadable_video(broken, codecs=video_codecs_built_in())
    assert str(refused.value) == str(expected)
    without = str(unreadable_video(broken, codecs=False))
    assert "Motion-JPEG" in without and "folder" in without


# -- USB keyboard-wedge scanners ------------------------------------------------------


def typing(
    detector: WedgeDetector, text: str, start: float, gap: float, terminator: bool = True
) -> tuple[list[object], float]:
    actions: list[object] = []
    now = start
    for char in text:
        actions += detector.tick(now)
        actions += detector.key(now, char)
        now += gap
    if terminator:
        actions += detector.key(now, "\r", terminator=True)
    for _ in range(20):
        now += 0.01
        actions += detector.tick(now)
    return actions, now


def test_a_scanner_burst_is_a_scan() -> None:
    actions, _ = typing(WedgeDetector(), "DC-7Q2MX9K4", 0.0, 0.008)
    assert actions == [Scanned("DC-7Q2MX9K4")]


def test_a_person_typing_is_never_a_scan() -> None:
    actions, _ = typing(WedgeDetector(), "muller", 0.0, 0.09, terminator=False)
    assert all(isinstance(a, Typed) for a in actions)
    assert "".join(a.text for a in actions) == "muller"  # type: ignore[attr-defined]


def test_a_quick_two_key_roll_is_typing() -> None:
    actions, _ = typing(WedgeDetector(), "ab", 0.0, 0.01, terminator=False)
    assert actions == [Typed("ab", (None, None))]


def test_a_scanner_without_a_terminator() -> None:
    actions, _ = typing(WedgeDetector(), "CODE1234", 0.0, 0.005, terminator=False)
    assert actions == [Scanned("CODE1234")]


def test_a_scanner_that_sends_everything_twice() -> None:
    detector = WedgeDetector()
    first, now = typing(detector, "CODE1234", 0.0, 0.005)
    second, now = typing(detector, "CODE1234", now + 0.05, 0.005)
    third, _ = typing(detector, "CODE1234", now + 2.0, 0.005)
    assert first == [Scanned("CODE1234")] and second == [] and third == [Scanned("CODE1234")]


def test_typing_then_a_scan_are_told_apart() -> None:
    detector = WedgeDetector()
    typed, now = typing(detector, "jan", 0.0, 0.12, terminator=False)
    scanned, _ = typing(detector, "CODE1234", now + 0.3, 0.006)
    assert "".join(a.text for a in typed) == "jan"  # type: ignore[attr-defined]
    assert scanned == [Scanned("CODE1234")]


def test_a_german_keyboard_layout_is_undone() -> None:
    sent = "XYZ-2026"  # the scanner types US key positions; QWERTZ swaps y/z, - is ß
    arrived = "XZY" + "ß" + "2026"
    actions, _ = typing(WedgeDetector(layout="qwertz"), arrived, 0.0, 0.005)
    assert actions == [Scanned(sent)]


def test_the_calibration_code_tells_the_layout() -> None:
    us_to = {"us": CALIBRATION_CODE}
    # What each layout makes of the calibration code's keys:
    # str.maketrans maps code points to strings: invert to code point -> code point.
    inverse = {
        name: {ord(v) if isinstance(v, str) else v: k for k, v in table.items()}
        for name, table in LAYOUTS.items()
    }
    for name in ("qwertz", "azerty"):
        arrived = "".join(chr(inverse[name].get(ord(c), ord(c))) for c in CALIBRATION_CODE)
        us_to[name] = arrived
    for name, arrived in us_to.items():
        assert detect_layout(arrived) == name
    assert detect_layout("something else") is None


def arrived_as(layout: str, sent: str) -> str:
    """What a scanner programmed for US keys types on a laptop with ``layout``."""
    inverse = {v if isinstance(v, int) else ord(v): k for k, v in LAYOUTS[layout].items()}
    return "".join(chr(inverse.get(ord(c), ord(c))) for c in sent)


def test_scanning_the_calibration_code_sets_the_layout_for_later_scans() -> None:
    detector = WedgeDetector()
    actions, now = typing(detector, arrived_as("azerty", CALIBRATION_CODE), 0.0, 0.005)
    assert actions == [Calibrated("azerty")] and detector.layout == "azerty"
    later, _ = typing(detector, arrived_as("azerty", "QWAZ-2026"), now + 1, 0.005)
    assert later == [Scanned("QWAZ-2026")]


def test_the_calibration_sheet_carries_the_code_in_both_formats(tmp_path: Path) -> None:
    from doorcheck.cli import main as doorcheck

    for name in ("sheet.png", "sheet.pdf"):
        assert doorcheck(["admin", "calibration", "--out", str(tmp_path / name)]) == 0
    image = cv2.imread(str(tmp_path / "sheet.png"))
    found = {(str(c.format), c.text) for c in zxingcpp.read_barcodes(image)}
    assert {text for _, text in found} == {CALIBRATION_CODE}
    assert len(found) == 2  # Code 128 for every USB scanner, QR for 2D ones
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")


# -- doorcheck decode -----------------------------------------------------------------


def decode_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "doorcheck", "decode", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_decode_command(tmp_path: Path) -> None:
    ticket, blank, video = tmp_path / "ticket.png", tmp_path / "blank.png", tmp_path / "v.avi"
    cv2.imwrite(str(ticket), F.ticket_frame(TICKET))
    cv2.imwrite(str(blank), F.background(4))
    F.write_video(str(video), [F.ticket_frame("VID-1")] * 5 + [F.ticket_frame("VID-2")] * 5)
    (tmp_path / "garbage.png").write_bytes(b"\x89PNG not really")
    plain = decode_cli(ticket, blank)
    assert plain.returncode == 0
    assert plain.stdout == f"{ticket}: QR Code: '{TICKET}'\n"
    assert "no code found" in plain.stderr
    result = decode_cli("--json", ticket, blank, video, tmp_path / "garbage.png")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [
        str(ticket),
        str(blank),
        str(video),
        str(tmp_path / "garbage.png"),
    ]
    assert [c["text"] for c in lines[0]["codes"]] == [TICKET]
    assert lines[1]["codes"] == []
    assert [c["text"] for c in lines[2]["codes"]] == ["VID-1", "VID-2"]
    assert "not an image" in lines[3]["error"]
    nothing = decode_cli(blank, tmp_path / "missing.png")
    assert nothing.returncode == 1
    assert "no such file" in nothing.stderr


def test_camera_names_come_from_the_system_where_it_gives_them(tmp_path: Path) -> None:
    from doorcheck.scan.frames import camera_name

    (tmp_path / "video0").mkdir()
    (tmp_path / "video0" / "name").write_text("Integrated Webcam: Integrated C\n")
    assert camera_name(0, tmp_path) == "Integrated Webcam: Integrated C"
    assert camera_name(3, tmp_path) == "Camera 3"
