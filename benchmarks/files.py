"""Reading big guest list files (issue 12, item 19): peak memory and time.

    PYTHONPATH=src .venv/bin/python -m benchmarks.files [--rows 1000000]
        [--xlsx-rows 250000] [--json benchmarks/results-files.json]

Each measurement runs in a fresh subprocess, so its peak resident memory
(``resource.getrusage``'s ``ru_maxrss``) is its own. The floor is measured in the
same run over the same file: Python's bare ``csv.reader`` for the CSV, openpyxl's
read-only ``iter_rows`` for the XLSX, each only counting rows. Target: a million
CSV rows in at most 400 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HEADERS = ["Ticketnummer", "Vorname", "Nachname", "Firma", "E-Mail"]


def row(i: int) -> list[str]:
    return [f"T{i:07d}", f"Gäst{i}", f"Müller{i % 997}", f"Firma {i % 97}", f"g{i}@example.org"]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(row(i) for i in range(rows))


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Gäste")
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(row(i))
    book.save(path)


# -- what runs in the subprocess ------------------------------------------------------


def _bare_csv(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle, delimiter=";")) - 1


def _bare_xlsx(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        book.close()


def _load_file(path: Path) -> int:
    from doorcheck.connectors.spreadsheet import load_file

    return len(load_file(path).guests)


def _into_store(path: Path) -> int:
    from doorcheck.connectors.spreadsheet import SpreadsheetConnector
    from doorcheck.store.local import LocalStore
    from doorcheck.sync.source_sync import load_list

    with tempfile.TemporaryDirectory() as work:
        store = LocalStore.open(Path(work) / "door.sqlite3")
        try:
            return load_list(store, SpreadsheetConnector(path))
        finally:
            store.close()


CASES = {"bare-csv": _bare_csv, "bare-xlsx": _bare_xlsx, "load_file": _load_file,
         "into-store": _into_store}  # fmt: skip


def measure_here(case: str, path: Path) -> dict[str, Any]:
    import resource

    import doorcheck.connectors.spreadsheet  # noqa: F401  (imports are not the reading)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rows = CASES[case](path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"rows": rows, "seconds": round(seconds, 2), "peak_mb": round(peak / 1024, 1),
            "start_mb": round(before / 1024, 1)}  # fmt: skip


def measure(case: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.files", "--measure", case, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=250_000)
    parser.add_argument("--store", action="store_true", help="also load the CSV into a store")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--measure", nargs=2, metavar=("CASE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_here(args.measure[0], Path(args.measure[1]))))
        return
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        csv_path, xlsx_path = Path(work) / "guests.csv", Path(work) / "guests.xlsx"
        write_csv(csv_path, args.rows)
        write_xlsx(xlsx_path, args.xlsx_rows)
        files = {"csv": (csv_path, "bare-csv"), "xlsx": (xlsx_path, "bare-xlsx")}
        for kind, (path, floor_case) in files.items():
            floor = measure(floor_case, path)
            read = measure("load_file", path)
            results[kind] = {
                "file_mb": round(path.stat().st_size / 1e6, 1),
                "floor": floor,
                "load_file": read,
                "time_ratio": round(read["seconds"] / max(floor["seconds"], 0.01), 2),
                "memory_ratio": round(read["peak_mb"] / max(floor["peak_mb"], 1), 2),
            }
        if args.store:
            results["csv"]["into_store"] = measure("into-store", csv_path)
    print(f"{'file':<6}{'rows':>10}{'MB':>7}  {'case':<11}{'seconds':>9}{'peak MB':>9}"
          f"{'x floor time':>14}{'x floor mem':>13}")  # fmt: skip
    for kind, result in results.items():
        for case in ("floor", "load_file", "into_store"):
            if case not in result:
                continue
            got = result[case]
            ratios = (
                f"{result['time_ratio']:>14}{result['memory_ratio']:>13}"
                if case == "load_file"
                else ""
            )
            print(f"{kind:<6}{got['rows']:>10}{result['file_mb']:>7}  {case:<11}"
                  f"{got['seconds']:>9}{got['peak_mb']:>9}{ratios}")  # fmt: skip
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
