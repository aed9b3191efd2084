"""The Linux installer's size and start-up time (issue 6's floors).

    packaging/build-linux
    .venv/bin/python -m benchmarks.installer [dist/doorcheck_X_amd64.deb] [--json OUT]

Unpacks the .deb into a temporary root (as CI does), then measures its size, the
size installed, and the time from starting the frozen `doorcheck kiosk` to its first
window up and idle (`--exit-when-ready`, offscreen Qt): once right after the page
cache was dropped (cold, where the machine allows it) and five times warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.sync import Row, report

MB = 1_000_000


def newest_deb() -> Path:
    debs = sorted(Path("dist").glob("doorcheck_*.deb"), key=lambda p: p.stat().st_mtime)
    if not debs:
        raise SystemExit("no dist/doorcheck_*.deb: run packaging/build-linux first")
    return debs[-1]


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def start_seconds(program: Path, data: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    began = time.perf_counter()
    process = subprocess.Popen(
        [str(program), "kiosk", "--data", str(data), "--exit-when-ready"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    took = time.perf_counter() - began
    process.wait(60)
    if line.strip() != "ready":
        raise SystemExit(f"the kiosk did not start: {line!r}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("deb", nargs="?", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    deb = args.deb or newest_deb()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        program = root / "opt" / "doorcheck" / "doorcheck"
        rows.append(Row(".deb size", deb.stat().st_size / MB, "MB", 100.0, deb.name))
        rows.append(Row("installed size", tree_size(root) / MB, "MB", 300.0))
        cold = drop_page_cache()
        first = start_seconds(program, Path(tmp) / "data-0")
        rows.append(
            Row(
                "start to a ready window, first run" + (" (cold cache)" if cold else ""),
                first,
                "s",
                2.0,
                "page cache dropped" if cold else "could not drop the page cache here",
            )
        )
        warm = [start_seconds(program, Path(tmp) / f"data-{i}") for i in range(1, 6)]
        rows.append(Row("start to a ready window, warm, median of 5", statistics.median(warm),
                        "s", 2.0))  # fmt: skip
        began = time.perf_counter()
        self_test = subprocess.run(
            [str(program), "self-test"],
            capture_output=True,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        rows.append(
            Row("self-test of the unpacked .deb", time.perf_counter() - began, "s", 30.0,
                self_test.stdout.strip().splitlines()[-1] if self_test.stdout else "no output")
        )  # fmt: skip
        if self_test.returncode != 0:
            print(self_test.stdout, self_test.stderr, file=sys.stderr)
            return 1
    return report(rows, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
