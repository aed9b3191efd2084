"""Whatever bytes arrive as a guest list (CSV or XLSX), the reader returns guests or
raises SpreadsheetError with a sentence: never another exception, never unbounded
memory; and a well-formed CSV loses no guest and mixes none up."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorcheck.connectors.spreadsheet import SheetImport, SpreadsheetError, load_file
from tests.support.sheets import MAIN, xlsx

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MEMORY_BOUND = 64 * 1024 * 1024  # for inputs of a few kilobytes: far above need


def read_bounded(path: Path) -> SheetImport | SpreadsheetError:
    """load_file's result or its documented error, within MEMORY_BOUND; any other
    exception fails the test."""
    tracemalloc.start()
    try:
        sheet = load_file(path)
        for _guest in sheet.guests:  # made on demand: make them all once
            pass
        result: SheetImport | SpreadsheetError = sheet
    except SpreadsheetError as exc:
        assert str(exc) and str(exc.phrase)
        result = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEMORY_BOUND
    return result


def write_to(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CSV_TEXT = st.text(alphabet=st.sampled_from(list(",;\t|\"'\r\n =+-@\x00\x1fAbc\u00e4\ufeff")))


@SETTINGS
@given(data=st.one_of(st.binary(max_size=3000), CSV_TEXT.map(str.encode)))
def test_any_bytes_as_a_csv(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    tmp = tmp_path_factory.mktemp("csv")
    read_bounded(write_to(tmp, "list.csv", data))


@st.composite
def workbook_bytes(draw: st.DrawFn) -> bytes:
    """A real small workbook, then bytes flipped or cut off."""
    data = bytearray(_WORKBOOK)
    flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)),
                          max_size=8))  # fmt: skip
    for at, value in flips:
        data[at] = value
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut])


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Code", "Vorname", "Nachname"])
    sheet.append([1042, "Jürgen", "Müller"])
    sheet.append(["A-7", "Ana", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_WORKBOOK = _workbook()

# Cells as a sheet's XML may write them, rightly or wrongly.
REFERENCES = st.sampled_from(["A1", "B2", "XFD3", "ZZZZ9", "A0", "", "1A", "A99999999", "a1"])
TYPES = st.sampled_from(["s", "inlineStr", "n", "b", "e", "str", "d", "", "x"])
VALUES = st.one_of(
    st.sampled_from(["0", "1", "-1", "99999999999", "1e308", "nan", "2026-11-29T10:00", "x"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)


@st.composite
def sheet_xml(draw: st.DrawFn) -> bytes:
    rows = []
    for number in draw(st.lists(st.sampled_from(["1", "2", "3", "0", "-1", "x", ""]),
                                max_size=5)):  # fmt: skip
        cells = []
        for _ in range(draw(st.integers(0, 4))):
            kind, ref, value = draw(TYPES), draw(REFERENCES), draw(VALUES)
            value = str(value).replace("&", "&amp;").replace("<", "&lt;")
            inner = f"<is><t>{value}</t></is>" if kind == "inlineStr" else f"<v>{value}</v>"
            cells.append(f'<c r="{ref}" t="{kind}">{inner}</c>')
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    return f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()


STRINGS = st.one_of(
    st.none(),
    st.just(f'<sst xmlns="{MAIN}"><si><t>Code</t></si><si><t>Ann</t></si></sst>'.encode()),
    st.binary(max_size=200),
)


@SETTINGS
@given(
    data=st.one_of(st.binary(max_size=2000), workbook_bytes()),
)
def test_any_bytes_as_an_xlsx(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    tmp = tmp_path_factory.mktemp("xlsx")
    read_bounded(write_to(tmp, "list.xlsx", data))


@SETTINGS
@given(sheet=sheet_xml(), strings=STRINGS, raw_sheet=st.none() | st.binary(max_size=300))
def test_any_sheet_inside_a_real_zip(
    tmp_path_factory: pytest.TempPathFactory,
    sheet: bytes,
    strings: bytes | None,
    raw_sheet: bytes | None,
) -> None:
    tmp = tmp_path_factory.mktemp("parts")
    path = xlsx(tmp / "list.xlsx", raw_sheet if raw_sheet is not None else sheet, strings)
    read_bounded(path)


CELL = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        st.sampled_from(list(",;\t|\"' \n\r")),
    ),
    max_size=12,
)


@SETTINGS
@given(
    rows=st.lists(st.tuples(CELL, CELL), max_size=30),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    bom=st.booleans(),
)
def test_a_written_csv_loses_no_guest_and_mixes_none_up(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]], delimiter: str, bom: bool
) -> None:
    tmp = tmp_path_factory.mktemp("roundtrip")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["Code", "Name"])
    writer.writerows(rows)
    path = write_to(tmp, "list.csv", ("\ufeff" if bom else "").encode() + out.getvalue().encode())
    sheet = load_file(path)
    expected: dict[str, str] = {}
    without_code = []
    for code, name in ((c.strip(), n.strip()) for c, n in rows):
        if code:
            expected.setdefault(code, name)
        elif name:
            without_code.append(name)
    guests = list(sheet.guests)
    got = {g["accessCode"]: g["fields"].get("lastName", "") for g in guests if g["accessCode"]}
    assert got == expected
    assert [g["fields"]["lastName"] for g in guests if not g["accessCode"]] == without_code
    assert sheet.table.delimiter == delimiter


def test_the_zip_helper_makes_a_workbook_openpyxl_reads(tmp_path: Path) -> None:
    # The properties above mean little if their zips are never read as workbooks.
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    strings = f'<sst xmlns="{MAIN}"><si><t>Code</t></si><si><t>Name</t></si></sst>'.encode()
    path = xlsx(tmp_path / "list.xlsx", sheet, strings)
    assert zipfile.is_zipfile(path)
    assert load_file(path).table.headers == ["Code", "Name"]
