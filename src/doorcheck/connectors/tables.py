"""Rows of a CSV or XLSX file, read as a stream and within bounds.

A guest list file comes from outside and may be broken or hostile: a 1.5 MB XLSX can
unpack to gigabytes, a CSV line can be hundreds of megabytes long. Rows are read one
at a time, never the whole file at once, and every bound is checked while reading,
so a file over one is refused in words before it costs much memory or time. Where
Excel has a limit of its own, that is the bound: a list Excel can hold is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from doorcheck.words import Phrase, phrase

MAX_BYTES = 200 * 1024 * 1024  # the file itself; a guest list is never this big
MAX_ROWS = 1_048_576  # rows of a sheet, Excel's own limit
MAX_COLUMNS = 16_384  # columns of a sheet (A to XFD), Excel's own limit
MAX_CELL_CHARS = 32_767  # characters in a cell, Excel's own limit
# Cells read from one file: a million rows of 32 columns (Eventbrite's attendee export
# has about 30). It bounds the time of a sheet whose rows each reach column XFD.
MAX_CELLS = 32_000_000
MAX_ROW_CHARS = 1_000_000  # one CSV row, all its lines together
SAMPLE_CHARS = 65_536  # the start of a CSV that tells its separator
# XLSX is a zip of XML parts. Sizes are the unpacked ones the zip declares; Python's
# zipfile never unpacks more than a member declares (and fails its checksum when the
# data is not what was declared), so the declared sizes bound the real ones.
MAX_MEMBERS = 10_000  # parts in the zip; a workbook has a few dozen
MAX_UNPACKED_BYTES = 1_000_000_000  # all parts together
MAX_SHEET_BYTES = 1_000_000_000  # a worksheet: streamed row by row, never held whole
MAX_STRINGS_BYTES = 200_000_000  # the shared strings, which openpyxl holds whole
MAX_PART_BYTES = 10_000_000  # any other part (workbook, styles, relationships)

# The control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE; kept
# here so reading a CSV does not import openpyxl). No guest list means them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class SpreadsheetError(Exception):
    """The file cannot be read as a guest list; the message says why, in words."""

    def __init__(self, message: Phrase) -> None:
        super().__init__(str(message))
        self.phrase = message


@dataclass
class Rows:
    """An open file's rows, each a list of cell texts, numbered from 1."""

    rows: Iterator[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a ticket number typed as a number stays "1042"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return CONTROL_CHARACTERS.sub("", str(value)).strip()


@contextmanager
def open_rows(path: Path) -> Iterator[Rows]:
    """The rows of a CSV or XLSX file (by suffix), bounded; SpreadsheetError in words
    for a file that cannot be read or is over a bound."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SpreadsheetError(
            phrase("cannot open {path}: {why}", path=path, why=exc.strerror)
        ) from exc
    if size > MAX_BYTES:
        raise SpreadsheetError(
            phrase("{path} is {mb} MB: too big for a guest list", path=path, mb=size // 1_000_000)
        )
    opened = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    with opened as rows:
        yield Rows(_bounded(path, rows.rows), rows.encoding, rows.delimiter)


def _bounded(path: Path, rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    cells = 0
    for number, row in rows:
        if number > MAX_ROWS:
            raise SpreadsheetError(
                phrase(
                    "{path} has more than {limit} rows, more than Excel holds: "
                    "this is not a guest list",
                    path=path.name, limit=MAX_ROWS,
                )
            )  # fmt: skip
        if len(row) > MAX_COLUMNS:
            raise SpreadsheetError(
                phrase(
                    "row {row} of {path} has {count} columns; a sheet has at most {limit}",
                    row=number, path=path.name, count=len(row), limit=MAX_COLUMNS,
                )
            )  # fmt: skip
        cells += len(row)
        if cells > MAX_CELLS:
            raise SpreadsheetError(
                phrase(
                    "{path} holds more than {limit} cells: too big for a guest list",
                    path=path.name, limit=MAX_CELLS,
                )
            )  # fmt: skip
        if row and max(map(len, row)) > MAX_CELL_CHARS:
            column, text = next((i, t) for i, t in enumerate(row, 1) if len(t) > MAX_CELL_CHARS)
            raise SpreadsheetError(
                phrase(
                    "row {row}, column {column} of {path} holds {count} characters; "
                    "a cell holds at most {limit}",
                    row=number, column=column, path=path.name, count=len(text),
                    limit=MAX_CELL_CHARS,
                )
            )  # fmt: skip
        yield number, row


# -- CSV ------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, which older Excel
    on Windows writes and in which every byte decodes. Checked in chunks, so the
    file is never held whole."""
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def guess_delimiter(sample: str) -> str:
    """The separator that splits the first rows most evenly into most columns.

    csv.Sniffer's patterns take minutes on some 64 KB samples; this reads the sample
    once per candidate with the csv module, in linear time.
    """
    best, score = ",", (0, 1)
    records = sample.splitlines(keepends=True)[:-1] or [sample]  # the last may be cut
    for delimiter in (",", ";", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(records, delimiter=delimiter) if any(r)][:50]
        except csv.Error:
            continue
        if not widths:
            continue
        candidate = (sum(w == widths[0] for w in widths), widths[0])
        if widths[0] > 1 and candidate > score:
            best, score = delimiter, candidate
    return best


class _RowTooLongError(Exception):
    pass


class _BoundedLines:
    """The lines of a text file for csv.reader, none longer than MAX_ROW_CHARS and no
    row (a quoted cell may hold line breaks) longer than that in all its lines."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self.row_chars = 0  # reset by the reader at each row

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = self._handle.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.row_chars += len(line)
        if self.row_chars > MAX_ROW_CHARS:
            raise _RowTooLongError
        return CONTROL_CHARACTERS.sub("", line)  # once a line, not once a cell


@contextmanager
def _csv_rows(path: Path) -> Iterator[Rows]:
    encoding = _encoding(path)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        delimiter = guess_delimiter(handle.read(SAMPLE_CHARS))
        handle.seek(0)
        yield Rows(_csv_records(path, handle, delimiter), encoding, delimiter)


def _csv_records(path: Path, handle: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    lines = _BoundedLines(handle)
    number = 0
    try:
        for number, record in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            lines.row_chars = 0
            yield number, [value.strip() for value in record]
    except _RowTooLongError:
        raise SpreadsheetError(
            phrase(
                "row {row} of {path} is longer than {limit} characters: "
                "this is not a guest list",
                row=number + 1, path=path.name, limit=MAX_ROW_CHARS,
            )
        ) from None  # fmt: skip
    except csv.Error as exc:
        raise SpreadsheetError(
            phrase("{path} is not a readable CSV file: {why}", path=path, why=exc)
        ) from exc


# -- XLSX -----------------------------------------------------------------------------


def _not_xlsx(path: Path, why: object) -> SpreadsheetError:
    return SpreadsheetError(
        phrase("{path} is not a readable XLSX file ({why})", path=path, why=why)
    )


def _why(exc: BaseException) -> str:
    # The zip's and the XML parser's own words name parts and positions; any other
    # error of openpyxl's might quote a cell, which may be a guest's name: its kind only.
    known = (zipfile.BadZipFile, zipfile.LargeZipFile, SyntaxError, EOFError, OSError,
             zlib.error)  # fmt: skip
    return str(exc) if isinstance(exc, known) else type(exc).__name__


def _member_count(path: Path) -> int:
    """The zip's count of members from its end record, read before zipfile reads the
    central directory (a few hundred bytes each in memory); -1 when there is none."""
    with path.open("rb") as handle:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 22 - 0xFFFF))  # the end record and the longest comment
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return -1
    (count,) = struct.unpack_from("<H", tail, at + 10)
    return int(count)  # 0xFFFF for a zip64 archive: over the bound as well


def _part_bounds(archive: zipfile.ZipFile) -> dict[str, int]:
    """Each part's bound, by the content type the package gives it (as openpyxl finds
    its parts): worksheets and the shared strings get theirs, every other part (and
    any part a relationship names without a content type) the small one."""
    from defusedxml.ElementTree import fromstring

    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_PART_BYTES:
        raise zipfile.BadZipFile("the content types are too large")
    bounds: dict[str, int] = {}
    for override in fromstring(archive.read(info), forbid_dtd=True):
        name = override.get("PartName", "").lstrip("/")
        kind = override.get("ContentType", "")
        if kind == _WORKSHEET:
            bounds[name] = MAX_SHEET_BYTES
        elif kind == _SHARED_STRINGS:
            bounds[name] = MAX_STRINGS_BYTES
    return bounds


def check_archive(path: Path) -> None:
    """Refuses an XLSX whose parts unpack to more than the bounds, before openpyxl
    opens it."""
    members = _member_count(path)
    if members > MAX_MEMBERS:
        raise _not_xlsx(path, f"{members} parts; a workbook has at most {MAX_MEMBERS}")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _not_xlsx(path, f"{len(infos)} parts; a workbook has at most {MAX_MEMBERS}")
            bounds = _part_bounds(archive)
    except SpreadsheetError:
        raise
    # zlib's error: a part whose compressed bytes are broken, read here for the first
    # time (the content types).
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, EOFError,
            zlib.error) as exc:  # fmt: skip
        raise _not_xlsx(path, _why(exc)) from exc
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            phrase(
                "{path} unpacks to {mb} MB, more than {limit} MB: too big for a guest list",
                path=path.name, mb=total // 1_000_000, limit=MAX_UNPACKED_BYTES // 1_000_000,
            )
        )  # fmt: skip
    for info in infos:
        bound = bounds.get(info.filename, MAX_PART_BYTES)
        if info.file_size > bound:
            raise SpreadsheetError(
                phrase(
                    "{path}: its part {part} unpacks to {mb} MB, more than {limit} MB: "
                    "too big for a guest list",
                    path=path.name, part=info.filename, mb=info.file_size // 1_000_000,
                    limit=bound // 1_000_000,
                )
            )  # fmt: skip


@contextmanager
def _xlsx_rows(path: Path) -> Iterator[Rows]:
    check_archive(path)
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        with warnings.catch_warnings():
            # "no default style", "extension not supported": nothing the door needs.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl on a broken file raises nearly anything
        raise _not_xlsx(path, _why(exc)) from exc
    try:
        if not book.worksheets:
            raise SpreadsheetError(phrase("the file has no rows"))
        sheet = book.worksheets[0]
        if isinstance(sheet, ReadOnlyWorksheet):
            # Rows are as wide as their own cells, not as the size the sheet claims.
            sheet.reset_dimensions()
        yield Rows(_xlsx_records(path, sheet.iter_rows(values_only=True)), "xlsx")
    finally:
        book.close()


def _xlsx_records(path: Path, rows: Iterator[Sequence[Any]]) -> Iterator[tuple[int, list[str]]]:
    number = 0
    while True:
        try:
            raw = next(rows)
        except StopIteration:
            return
        except MemoryError:
            raise
        except Exception as exc:  # a broken part shows only while its rows are read
            raise _not_xlsx(path, _why(exc)) from exc
        number += 1
        yield number, [cell_text(value) for value in raw]
