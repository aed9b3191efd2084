"""Scanning benchmarks (issue 4's floors, on this 2-core machine).

    .venv/bin/python -m benchmarks.scan [--photos ../shared/barcodes] [--json OUT]

The Linux installer's own OpenCV (packaging/build-opencv) is measured by putting it
first on the path:

    python3 -m zipfile -e build/opencv/*/opencv_python_headless-*.whl build/opencv/site
    PYTHONPATH=build/opencv/site .venv/bin/python -m benchmarks.scan \
        --json benchmarks/results-scan-installer.json

- Decode rate per set of real photos (the shared set, with known payloads): our
  decoder against zxing-cpp called plainly, and false positives on the no-code sets.
- Decode time per 1280x720 frame with the default formats (synthetic phone-screen
  frames from doorcheck.scan.synthetic, and empty frames).
- Camera frame to verdict: from the moment a frame is captured to the moment its
  verdict is decided and recorded on disk, through the real CameraScanner threads
  and CheckInService (painting it on screen comes with the kiosk window).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from tests.support import full_sync, wire

from doorcheck.domain.debounce import Debouncer
from doorcheck.domain.verdict import Mode
from doorcheck.scan import synthetic as frames
from doorcheck.scan.decoder import DEFAULT_FORMATS, Decoder, parse_formats
from doorcheck.scan.scanner import CameraScanner, ScanEvent
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "barcodes"


def expected(root: Path, row: dict[str, str]) -> tuple[str | None, bytes | None]:
    name = row["expected_file"]
    if not name:
        return None, None
    data = (root / name).read_bytes()
    # Exact: some payloads hold CRLF, which read_text() would turn into LF.
    return (None, data) if name.endswith(".bin") else (data.decode("utf-8"), None)


def hit(found: list[tuple[str, bytes]], text: str | None, raw: bytes | None) -> bool:
    return any((text is not None and t == text) or (raw is not None and b == raw) for t, b in found)


def decode_rates(root: Path) -> list[dict[str, object]]:
    rows = list(csv.DictReader((root / "manifest.csv").open(encoding="utf-8")))
    ours = Decoder()
    formats = parse_formats(DEFAULT_FORMATS)
    table: dict[str, dict[str, object]] = {}
    for row in rows:
        image = cv2.imread(str(root / row["file"]), cv2.IMREAD_GRAYSCALE)
        assert image is not None, row["file"]
        text, raw = expected(root, row)
        plain = [
            (c.text, bytes(c.bytes))
            for c in zxingcpp.read_barcodes(
                image, formats=formats, text_mode=zxingcpp.TextMode.Plain
            )
        ]
        mine = [(c.text, c.raw) for c in ours.decode(image)]

        entry = table.setdefault(
            row["set"],
            {"set": row["set"], "format": row["format"], "images": 0, "plain": 0, "ours": 0},
        )
        entry["images"] = int(entry["images"]) + 1  # type: ignore[call-overload]
        if row["format"] == "NONE":  # count false positives
            entry["plain"] = int(entry["plain"]) + bool(plain)  # type: ignore[call-overload]
            entry["ours"] = int(entry["ours"]) + bool(mine)  # type: ignore[call-overload]
        else:
            entry["plain"] = int(entry["plain"]) + hit(plain, text, raw)  # type: ignore[call-overload]
            entry["ours"] = int(entry["ours"]) + hit(mine, text, raw)  # type: ignore[call-overload]
    return list(table.values())


def frame_times() -> dict[str, float]:
    decoder = Decoder()
    with_code = [frames.ticket_frame(f"DC-{i:08d}", seed=i, angle=3 * i) for i in range(20)]
    empty = [frames.jpeg(frames.background(i)) for i in range(20)]
    result = {}
    for name, batch in (("with a ticket", with_code), ("empty", empty)):
        times = []
        for round_ in range(10):
            for index, frame in enumerate(batch):
                start = time.perf_counter()
                decoder.decode(frame, retry=round_ * 20 + index)
                times.append((time.perf_counter() - start) * 1000)
        result[name] = statistics.median(times)
    return result


def frame_to_verdict(work: Path, presentations: int = 60) -> list[float]:
    store = LocalStore.open(work / "door.sqlite3")
    codes = [f"DC-{i:08d}" for i in range(presentations)]
    full_sync(store, [wire(f"g{i}", code, "Guest", str(i)) for i, code in enumerate(codes)])
    service = CheckInService(store, "Bench", Mode.CHECK_IN)
    ticket_frames = [frames.ticket_frame(code, seed=i) for i, code in enumerate(codes)]
    empty = frames.jpeg(frames.background(9))
    latencies: list[float] = []
    done = threading.Event()

    def on_scan(event: ScanEvent) -> None:
        service.scan(event.payload, event.source)  # verdict decided and on disk
        latencies.append((time.monotonic() - event.time) * 1000)
        if len(latencies) >= presentations:
            done.set()

    def camera() -> Iterator[np.ndarray]:  # 30 frames per second, like a webcam
        for frame in ticket_frames:
            for shown in [frame] * 6 + [empty] * 6:
                yield shown
                time.sleep(1 / 30)

    scanner = CameraScanner(camera, on_scan, debouncer=Debouncer(gone_after=0.1))
    scanner.start()
    done.wait(120)
    scanner.stop()
    store.close()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    # Which OpenCV was measured: the registry's wheel, or the installer's own build
    # (packaging/build-opencv: no FFmpeg, no BLAS), put first with PYTHONPATH.
    opencv = {
        "version": cv2.__version__,
        "ffmpeg": bool(cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG)),
        "module": str(Path(cv2.__file__).parent),
    }
    print(f"OpenCV {opencv['version']} from {opencv['module']}, FFmpeg: {opencv['ffmpeg']}\n")
    report: dict[str, object] = {"opencv": opencv}
    if (args.photos / "manifest.csv").exists():
        rates = decode_rates(args.photos)
        report["decode_rates"] = rates
        print(f"{'set':<24} {'format':<11} {'images':>6} {'zxing-cpp plain':>16} {'ours':>6}")
        for row in rates:
            note = "  (false positives)" if row["format"] == "NONE" else ""
            print(
                f"{row['set']:<24} {row['format']:<11} {row['images']:>6} "
                f"{row['plain']:>16} {row['ours']:>6}{note}"
            )
    else:
        print(f"no photo set at {args.photos}: decode rates skipped")
    times = frame_times()
    report["frame_ms"] = times
    print(
        f"\ndecode per 1280x720 frame, default formats, median: "
        f"{times['with a ticket']:.1f} ms with a ticket, {times['empty']:.1f} ms empty "
        "(floor 15 ms)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        latencies = frame_to_verdict(Path(tmp))
    p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1]
    report["frame_to_verdict_ms"] = {
        "p95": p95,
        "median": statistics.median(latencies),
        "scans": len(latencies),
    }
    print(
        f"camera frame to recorded verdict: p95 {p95:.1f} ms, median "
        f"{statistics.median(latencies):.1f} ms over {len(latencies)} scans (floor 100 ms)"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
