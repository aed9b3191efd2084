"""Guest list files that would exhaust memory or time are refused while reading, in
words, before they cost much (XLSX bombs, endless rows, endless lines, huge cells);
a list refused at its last row changes nothing at the door; big legal lists are read."""

from __future__ import annotations

import csv
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import openpyxl
import pytest

from doorcheck.cli import main as doorcheck
from doorcheck.connectors import tables
from doorcheck.connectors.spreadsheet import SpreadsheetConnector, SpreadsheetError, load_file
from doorcheck.store.local import LocalStore
from doorcheck.sync.source_sync import load_list
from tests.support.sheets import MAIN, xlsx


def sheet_xml(rows: Iterable[str]) -> bytes:
    return (
        f'<worksheet xmlns="{MAIN}"><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    ).encode()


def inline_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def repeated(head: bytes, fill: bytes, count: int, tail: bytes) -> Callable[[IO[bytes]], None]:
    def write(member: IO[bytes]) -> None:
        member.write(head)
        chunk = fill * (1 << 20)
        for _ in range(count):
            member.write(chunk)
        member.write(tail)

    return write


def refused(path: Path, *words: str) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        load_file(path)
    message = str(caught.value)
    for word in words:
        assert word in message
    return message


def test_a_shared_string_that_unpacks_to_hundreds_of_megabytes_is_refused(tmp_path: Path) -> None:
    # 300 MB of one shared string in a file of a few hundred kilobytes.
    strings = repeated(f'<sst xmlns="{MAIN}"><si><t>'.encode(), b"A", 300, b"</t></si></sst>")
    sheet = sheet_xml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    path = xlsx(tmp_path / "bomb.xlsx", sheet, strings)
    assert path.stat().st_size < 2_000_000
    refused(path, "xl/sharedStrings.xml unpacks to 314 MB, more than 200 MB")


def test_a_part_that_is_neither_sheet_nor_strings_gets_the_small_bound(tmp_path: Path) -> None:
    sheet = sheet_xml([inline_row(1, "Code", "Name"), inline_row(2, "T-1", "Ann")])
    styles = repeated(f'<styleSheet xmlns="{MAIN}">'.encode(), b" ", 20, b"</styleSheet>")
    path = xlsx(tmp_path / "styles.xlsx", sheet, **{"xl/styles.xml": styles})
    refused(path, "xl/styles.xml unpacks to 20 MB, more than 10 MB")


def test_a_zip_of_too_many_parts_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    sheet = sheet_xml([inline_row(1, "Code", "Name"), inline_row(2, "T-1", "Ann")])
    many = {f"xl/media/{i}.bin": b"" for i in range(tables.MAX_MEMBERS)}
    refused(xlsx(tmp_path / "parts.xlsx", sheet, **many), "parts; a workbook has at most 10000")


def test_millions_of_rows_in_a_small_file_are_refused_at_the_bound(tmp_path: Path) -> None:
    # A row numbered 3,000,000: openpyxl makes every missing row up to it.
    sheet = sheet_xml(
        [inline_row(1, "Code", "Name"), inline_row(2, "T-1", "Ann"), inline_row(3_000_000, "x")]
    )
    path = xlsx(tmp_path / "rows.xlsx", sheet)
    refused(path, "has more than 1048576 rows, more than Excel holds")


def test_a_csv_of_more_rows_than_a_sheet_holds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"Code,Name\nT-1,Ann\n" + b"\n" * tables.MAX_ROWS)
    refused(path, "rows.csv has more than 1048576 rows")


def test_an_endless_csv_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    path.write_bytes(b"Code,Name\nT-1," + b"x;" * 1_000_000 + b"\n")
    refused(path, "row 2 of line.csv is longer than 1000000 characters")
    # Quoted cells that span lines: one row, counted over all its lines.
    path.write_bytes(b"Code,Name\nT-1" + b',"x\ny"' * 200_000 + b"\n")
    refused(path, "row 2 of line.csv is longer than 1000000 characters")


def test_a_huge_cell_and_a_row_wider_than_a_sheet_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cell.csv"
    path.write_bytes(b"Code,Name\nT-1," + b"x" * 40_000 + b"\n")
    refused(path, "row 2, column 2 of cell.csv holds 40000 characters; a cell holds at most 32767")
    path.write_bytes(b"Code,Name\nT-1" + b",a" * tables.MAX_COLUMNS + b"\n")
    refused(path, "row 2 of cell.csv has 16385 columns; a sheet has at most 16384")


def test_the_separator_is_guessed_from_junk_quotes_in_linear_time(tmp_path: Path) -> None:
    # csv.Sniffer's patterns backtrack over quotes like these (85 s for 64 KB of
    # them, by hand); the separator is guessed by reading the first rows instead.
    path = tmp_path / "sniff.csv"
    quotes = '|"x' * 30
    junk = "".join(f"T-{i},{quotes}\n" for i in range(2000))
    path.write_text("Code,Name\n" + junk, encoding="utf-8")
    sheet = load_file(path)
    assert (sheet.table.delimiter, sheet.table.headers) == (",", ["Code", "Name"])
    assert len(sheet.guests) == 2000


def test_a_list_refused_at_its_last_row_changes_nothing_at_the_door(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Code,Name\nT-1,Ann\nT-2,Ben\n", encoding="utf-8")
    store = LocalStore.open(tmp_path / "door.sqlite3")
    try:
        assert load_list(store, SpreadsheetConnector(path)) == 2
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Code", "Name"])
            writer.writerows([f"N-{i}", "New"] for i in range(5000))
            writer.writerow(["T-9", "x" * 40_000])  # over the cell bound, at the end
        with pytest.raises(SpreadsheetError, match="holds 40000 characters"):
            load_list(store, SpreadsheetConnector(path))
        assert store.status().guests == 2  # not one of the 5000 rows before it
        assert store.guest_by_code("N-0") is None and store.guest_by_code("T-1") is not None
    finally:
        store.close()


def test_the_import_command_says_why_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"Code,Name\nT-1," + b"x" * 40_000 + b"\n")
    assert doorcheck(["import", str(path), "--data", str(tmp_path / "door")]) == 1
    assert "holds 40000 characters; a cell holds at most 32767" in capsys.readouterr().err


def test_a_big_legal_xlsx_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Gäste")
    sheet.append(["Ticketnummer", "Vorname", "Nachname", "Bemerkung"])
    for i in range(30_000):
        sheet.append([f"T{i:06d}", f"Gäst{i}", "Müller", "y" * 300 if i == 7 else None])
    book.save(path)
    imported = load_file(path)
    assert len(imported.guests) == imported.rows == 30_000
    assert imported.guests[-1]["accessCode"] == "T029999"
    assert imported.guests[7]["fields"]["notes"] == "y" * 300


def declare_size(path: Path, part: str, size: int) -> None:
    """Rewrites the unpacked size a zip declares for ``part`` (local header and
    central directory), leaving its data as it is."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(part).header_offset
    data[offset + 22 : offset + 26] = size.to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(part)] != part.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_a_part_holding_more_than_it_declares_is_cut_at_its_declared_size(
    tmp_path: Path,
) -> None:
    # 50 MB of strings declared as 1000 bytes: zipfile unpacks no more than declared
    # (and the checksum fails), so the declared sizes checked before opening hold.
    strings = f'<sst xmlns="{MAIN}"><si><t>'.encode() + b"A" * 50_000_000 + b"</t></si></sst>"
    sheet = sheet_xml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    path = xlsx(tmp_path / "liar.xlsx", sheet, strings)
    declare_size(path, "xl/sharedStrings.xml", 1000)
    tracemalloc.start()
    try:
        refused(path, "liar.xlsx is not a readable XLSX file")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_a_part_whose_compressed_data_is_broken_is_refused_in_words(tmp_path: Path) -> None:
    """zlib's own error (found by the property test on random bytes) is no crash: the
    file is refused as not a readable XLSX, as every other broken archive is."""
    path = tmp_path / "broken.xlsx"
    types = b'<?xml version="1.0"?><Types xmlns="x">' + b"<Default/>" * 400 + b"</Types>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
    data = bytearray(path.read_bytes())
    start = 30 + len("[Content_Types].xml")  # the local header, then the deflated bytes
    for at in range(start, start + 8):
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SpreadsheetError, match="not a readable XLSX"):
        load_file(path)
