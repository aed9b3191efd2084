"""Guest lists from spreadsheets (CSV, XLSX), and check-ins back out to them.

For events without any server: the organizer's list goes straight into the kiosk's
store, in the station's wire form, so the scan path is the same as ever.

CSV files come as they come: UTF-8 with or without a byte-order mark, or
Windows-1252 from an older Excel; commas, semicolons (German Excel) or tabs. Columns
are matched by name in English or German ("Vorname", "E-Mail", "Ticketnummer"), and
any can be mapped by hand. Rows without anything in the mapped columns are skipped
and counted; a code that appears twice is reported with its rows, and only its first
row is kept, because one code must mean one guest at the door.

Files are read as a stream within bounds (connectors/tables.py), and the guests are
kept compact until asked for, so a list of a million rows fits in a few hundred MB.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import uuid
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, overload

from doorcheck.connectors.base import Capability
from doorcheck.connectors.tables import CONTROL_CHARACTERS, open_rows
from doorcheck.connectors.tables import SpreadsheetError as SpreadsheetError  # its home was here
from doorcheck.domain.guest import Guest
from doorcheck.domain.textfold import fold
from doorcheck.words import Phrase, phrase

# Words a header may use for each guest field (compared folded: case and accents off).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "accessCode": ("code", "access code", "accesscode", "barcode", "ticket", "ticket code",
                   "ticket number", "ticket no", "ticket id", "qr", "qr code",
                   "ticketnummer", "ticket nr", "ticketcode", "zugangscode"),
    "firstName": ("first name", "firstname", "first", "given name", "forename", "vorname"),
    "lastName": ("last name", "lastname", "surname", "family name", "nachname", "name"),
    "email": ("email", "e mail", "mail", "email address", "e mail adresse", "emailadresse"),
    "company": ("company", "organisation", "organization", "firma", "unternehmen",
                "employer", "institution"),
    "notes": ("notes", "note", "comment", "comments", "remarks", "bemerkung",
              "bemerkungen", "notiz", "notizen", "hinweis"),
}  # fmt: skip
FIELDS = tuple(SYNONYMS)
# Guest ids made from codes are the same on every import of the same list.
# Codes on several rows are listed up to this many, each with up to this many rows.
LISTED = 10
ID_NAMESPACE = uuid.UUID("8d0c6f7e-6a39-4c1e-9d0b-d00c4ec0ffee")


@dataclass
class Table:
    """What a file's first rows say: its header and how it is written."""

    headers: list[str]
    first_row: int  # the sheet row number of the first data row (for messages: "row 17")
    encoding: str = ""
    delimiter: str = ""


class Guests(Sequence[dict[str, Any]]):
    """A sheet's guests, kept compact (a row number and the cells' UTF-8 bytes each, in
    one growing buffer) and made into wire objects when asked for: a million guests
    take about 60 MB, not the gigabyte their dictionaries would. One buffer, not a
    string per guest: small objects interleaved with the reader's own would keep the
    reader's freed memory from going back to the system."""

    SEPARATOR = "\x1f"  # the unit separator: cell texts hold no control characters

    def __init__(self, fields: Sequence[str], sheet_name: str) -> None:
        self._fields = tuple(fields)
        self._sheet_name = sheet_name
        self._rows = array("I")  # 4 bytes a row number
        self._data = bytearray()
        self._ends = array("Q")  # where each guest's bytes end in _data

    def add(self, row: int, values: dict[str, str]) -> None:
        self._rows.append(row)
        # The values come in the mapping's order, which is the fields' order.
        self._data += self.SEPARATOR.join(values.values()).encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._guest(i) for i in range(*index.indices(len(self)))]
        return self._guest(range(len(self))[index])

    def _guest(self, index: int) -> dict[str, Any]:
        start = self._ends[index - 1] if index else 0
        text = self._data[start : self._ends[index]].decode("utf-8", "surrogatepass")
        values = dict(zip(self._fields, text.split(self.SEPARATOR), strict=True))
        return guest_object(values, self._rows[index], self._sheet_name)


@dataclass
class SheetImport:
    table: Table
    mapping: dict[str, int]  # guest field -> column
    guests: Guests = field(default_factory=lambda: Guests((), ""))  # wire objects
    rows: int = 0  # data rows read
    # code -> its first LISTED sheet rows, for the first LISTED codes on several rows
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    more_duplicates: int = 0  # rows repeating a code, beyond those listed
    empty_rows: int = 0
    without_code: int = 0

    def problems(self) -> list[Phrase]:
        """What the organizer should know, a line each; a list full of repeated codes
        gives a few lines, not one a code (the window shows them all)."""
        lines = []
        for code, rows in self.duplicates.items():
            listed = ", ".join(str(r) for r in rows) + (", …" if len(rows) == LISTED else "")
            lines.append(
                phrase(
                    "code {code} is on rows {rows}: only row {kept} was kept",
                    code=code, rows=listed, kept=rows[0],
                )
            )  # fmt: skip
        if self.more_duplicates:
            lines.append(
                phrase(
                    "{count} more rows repeat a code of a row above them: only the first "
                    "row of each code was kept",
                    count=self.more_duplicates,
                )
            )
        if self.without_code == 1:
            lines.append(phrase("1 guest has no code: find them by name at the door"))
        elif self.without_code:
            lines.append(
                phrase(
                    "{count} guests have no code: find them by name at the door",
                    count=self.without_code,
                )
            )
        if self.empty_rows == 1:
            lines.append(phrase("1 empty row skipped"))
        elif self.empty_rows:
            lines.append(phrase("{count} empty rows skipped", count=self.empty_rows))
        return lines


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(header)).strip()


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Which column holds which field, by the headers' words; each column used once."""
    normal = [_normal(h) for h in headers]
    mapping: dict[str, int] = {}
    for name, words in SYNONYMS.items():
        for word in words:  # the earlier words are the surer ones
            found = [i for i, h in enumerate(normal) if h == word and i not in mapping.values()]
            if found:
                mapping[name] = found[0]
                break
    return mapping


def apply_overrides(
    mapping: dict[str, int], headers: Sequence[str], overrides: Iterable[str]
) -> dict[str, int]:
    """``field=Column header`` (or ``field=3``, 1-based) choices made by hand."""
    chosen = dict(mapping)
    for item in overrides:
        name, _, column = item.partition("=")
        if name not in SYNONYMS:
            raise SpreadsheetError(
                phrase(
                    "unknown field {name!r}: use one of {fields}",
                    name=name,
                    fields=", ".join(FIELDS),
                )
            )
        if column.isdigit() and 1 <= int(column) <= len(headers):
            chosen[name] = int(column) - 1
            continue
        matches = [i for i, h in enumerate(headers) if _normal(h) == _normal(column)]
        if not matches:
            raise SpreadsheetError(phrase("no column {column!r} in this file", column=column))
        chosen[name] = matches[0]
    return chosen


def _header(rows: Iterator[tuple[int, list[str]]]) -> tuple[list[str], int]:
    """The first row with anything in it (title rows above are skipped)."""
    for number, cells in rows:
        if any(cells):
            while cells and not cells[-1]:
                cells.pop()
            return cells, number + 1
    raise SpreadsheetError(phrase("the file has no rows"))


def read_table(path: Path) -> Table:
    """A file's header and form, from its first rows."""
    with open_rows(path) as opened:
        headers, first = _header(opened.rows)
        return Table(headers, first, opened.encoding, opened.delimiter)


def guest_object(values: dict[str, str], row: int, sheet_name: str) -> dict[str, Any]:
    """A row as a guest in the station's wire form (docs/protocol.md)."""
    code = values.get("accessCode") or None
    key = code or f"{sheet_name}:{row}:{'|'.join(values.values())}"
    fields = {name: values[name] for name in FIELDS if name != "accessCode" and values.get(name)}
    return {
        "id": str(uuid.uuid5(ID_NAMESPACE, key)),
        "parentId": None,
        "accessCode": code,
        "registrationState": "registered",
        "checkInDateTime": None,
        "checkOutDateTime": None,
        "deleteDateTime": None,
        "fields": fields,
        "companions": [],
    }


def _import_rows(
    sheet: SheetImport, rows: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows that become guests, with their sheet row numbers; counts empty rows,
    guests without a code, and codes on more than one row (their first row stands)."""
    first_row_of: dict[str, int] = {}
    for row, cells in rows:
        sheet.rows += 1
        values = {
            name: cells[column] if column < len(cells) else ""
            for name, column in sheet.mapping.items()
        }
        if not any(values.values()):
            sheet.empty_rows += 1
            continue
        code = values.get("accessCode", "")
        if code:
            first = first_row_of.setdefault(code, row)
            if first != row:  # reported by problems(); the first row with this code stands
                listed = sheet.duplicates.get(code)
                if listed is None and len(sheet.duplicates) < LISTED:
                    sheet.duplicates[code] = [first, row]
                elif listed is not None and len(listed) < LISTED:
                    listed.append(row)
                else:
                    sheet.more_duplicates += 1
                continue
        else:
            sheet.without_code += 1
        yield row, values


@contextmanager
def open_sheet(
    path: Path, overrides: Iterable[str] = ()
) -> Iterator[tuple[SheetImport, Iterator[tuple[int, dict[str, str]]]]]:
    """A guest list file opened: its SheetImport (header, mapping, and counts that
    grow as rows are read) and its guest rows, read one by one."""
    with open_rows(path) as opened:
        headers, first = _header(opened.rows)
        table = Table(headers, first, opened.encoding, opened.delimiter)
        mapping = apply_overrides(guess_mapping(headers), headers, overrides)
        if not {"accessCode", "firstName", "lastName", "email", "company"} & set(mapping):
            found = ", ".join(h for h in headers if h) or "none"
            raise SpreadsheetError(
                phrase(
                    "no column looks like a code or a name (headers: {found}); "
                    "map them with field=Column",
                    found=found,
                )
            )
        sheet = SheetImport(table, mapping, Guests(tuple(mapping), path.name))
        yield sheet, _import_rows(sheet, opened.rows)


def load_file(path: Path, overrides: Iterable[str] = ()) -> SheetImport:
    """The whole list read and checked, its guests kept compact (see Guests)."""
    with open_sheet(path, overrides) as (sheet, rows):
        for row, values in rows:
            sheet.guests.add(row, values)
    return sheet


def wire_guests(sheet: SheetImport) -> list[tuple[dict[str, Any], str]]:
    return [(obj, json.dumps(obj, ensure_ascii=False)) for obj in sheet.guests]


# -- check-ins out ------------------------------------------------------------------

EXPORT_HEADERS = ("Code", "First name", "Last name", "Company", "Email", "Checked in",
                  "Checked in at", "Checked out", "Checked out at")  # fmt: skip


def export_rows(guests: Iterable[Guest]) -> list[list[str]]:
    rows = []
    for guest in guests:
        if guest.check_in is None and guest.check_out is None:
            continue

        def when(value: datetime | None) -> str:
            return value.astimezone().isoformat(timespec="seconds") if value else ""

        rows.append(
            [
                guest.access_code or "",
                guest.field_text("firstName"),
                guest.field_text("lastName"),
                guest.field_text("company"),
                guest.field_text("email"),
                when(guest.check_in),
                guest.check_in_station or "",
                when(guest.check_out),
                guest.check_out_station or "",
            ]
        )
    return rows


# A cell that begins with one of these is read as a formula by Excel, LibreOffice or
# Google Sheets (tab and carriage return too, as OWASP's "CSV injection" notes): a
# guest named "=HYPERLINK(...)" must stay text in the organizer's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell as inert text, as OWASP describes: a leading apostrophe before any
    formula-starting character, and (for XLSX, whose XML cannot hold them) no control
    characters, which openpyxl would refuse with the guest's name in the error."""
    cell = CONTROL_CHARACTERS.sub("", cell)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_export(rows: list[list[str]], path: Path) -> Path:
    """CSV (UTF-8 with a byte-order mark, so Excel shows umlauts) or XLSX by suffix;
    every cell neutralised (``neutralise``), so both the command line and the window's
    Statistics tab write inert text; written next to the target and renamed over it,
    so a full disk leaves no half file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    safe = ([neutralise(cell) for cell in row] for row in rows)
    try:
        if path.suffix.lower() == ".xlsx":
            import openpyxl

            book = openpyxl.Workbook(write_only=True)
            sheet = book.create_sheet("Check-ins")
            sheet.append(list(EXPORT_HEADERS))
            for row in safe:
                sheet.append(row)
            book.save(partial)
        else:
            with partial.open("w", encoding="utf-8-sig", newline="") as handle:
                # Every cell quoted: a separator inside a cell cannot start a new one.
                writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
                writer.writerow(EXPORT_HEADERS)
                writer.writerows(safe)
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return path


class SpreadsheetConnector:
    """A guest list file as a source: read only, reloaded whole when it changes."""

    name = "spreadsheet"

    def __init__(self, path: Path, overrides: Sequence[str] = ()) -> None:
        self.path = path
        self.overrides = list(overrides)
        self.capabilities = frozenset({Capability.READ})

    def full_load(self) -> Iterator[list[tuple[dict[str, Any], str]]]:
        """The whole file is read and checked before the first guest is handed on:
        a file refused at its last row changes nothing at the door. The guests are
        held only while they are handed on (not by the connector), so the store's last
        step, after the last batch, has their memory back."""
        guests = load_file(self.path, self.overrides).guests
        for start in range(0, len(guests), 2000):
            yield [
                (obj, json.dumps(obj, ensure_ascii=False)) for obj in guests[start : start + 2000]
            ]

    def cursor(self) -> str:
        with self.path.open("rb") as handle:  # in chunks: the file may be large
            return "file:" + hashlib.file_digest(handle, "sha256").hexdigest()
