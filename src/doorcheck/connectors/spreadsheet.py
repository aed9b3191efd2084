"""Guest lists from spreadsheets (CSV, XLSX), and check-ins back out to them.

For events without any server: the organizer's list goes straight into the kiosk's
store, in the station's wire form, so the scan path is the same as ever.

CSV files come as they come: UTF-8 with or without a byte-order mark, or
Windows-1252 from an older Excel; commas, semicolons (German Excel) or tabs. Columns
are matched by name in English or German ("Vorname", "E-Mail", "Ticketnummer"), and
any can be mapped by hand. Rows without anything in the mapped columns are skipped
and counted; a code that appears twice is reported with its rows, and only its first
row is kept, because one code must mean one guest at the door.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from doorcheck.domain.guest import Guest
from doorcheck.domain.textfold import fold
from doorcheck.sync.connector import Capability
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
ID_NAMESPACE = uuid.UUID("8d0c6f7e-6a39-4c1e-9d0b-d00c4ec0ffee")
MAX_BYTES = 200 * 1024 * 1024  # a guest list is never this big; a wrong file may be


class SpreadsheetError(Exception):
    """The file cannot be read as a guest list; the message says why, in words."""

    def __init__(self, message: Phrase) -> None:
        super().__init__(str(message))
        self.phrase = message


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows, padded to the header's width
    first_row: int  # the sheet row number of rows[0] (for messages: "row 17")
    encoding: str = ""
    delimiter: str = ""


@dataclass
class SheetImport:
    table: Table
    mapping: dict[str, int]  # guest field -> column
    guests: list[dict[str, Any]] = field(default_factory=list)  # wire objects
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # code -> sheet rows
    empty_rows: int = 0
    without_code: int = 0

    def problems(self) -> list[Phrase]:
        lines = []
        for code, rows in self.duplicates.items():
            listed = ", ".join(str(r) for r in rows)
            lines.append(
                phrase(
                    "code {code} is on rows {rows}: only row {kept} was kept",
                    code=code, rows=listed, kept=rows[0],
                )
            )  # fmt: skip
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


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Older Excel on Windows saves "CSV" as Windows-1252; every byte decodes.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a ticket number typed as a number stays "1042"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _table(rows: Iterable[Sequence[Any]], encoding: str = "", delimiter: str = "") -> Table:
    header: list[str] | None = None
    data: list[list[str]] = []
    first = 0
    for number, raw in enumerate(rows, start=1):
        cells = [_cell(v) for v in raw]
        if header is None:
            if any(cells):
                header, first = cells, number + 1
            continue
        data.append(cells)
    if header is None:
        raise SpreadsheetError(phrase("the file has no rows"))
    while header and not header[-1]:
        header.pop()
    width = len(header)
    padded = [(row + [""] * width)[:width] for row in data]
    return Table(header, padded, first, encoding, delimiter)


def read_table(path: Path) -> Table:
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
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    text, encoding = _decode(path.read_bytes())
    sample = text[:65536]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ";,\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        dialect, delimiter = csv.excel, ","
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _table(rows, encoding, delimiter)
    except csv.Error as exc:
        raise SpreadsheetError(
            phrase("{path} is not a readable CSV file: {why}", path=path, why=exc)
        ) from exc


def _read_xlsx(path: Path) -> Table:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError(
            phrase("{path} is not a readable XLSX file ({why})", path=path, why=exc)
        ) from exc
    try:
        sheet = book.worksheets[0]
        return _table(sheet.iter_rows(values_only=True), "xlsx")
    finally:
        book.close()


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


def import_table(table: Table, mapping: dict[str, int], sheet_name: str = "") -> SheetImport:
    result = SheetImport(table, mapping)
    rows_of: dict[str, list[int]] = {}
    for offset, cells in enumerate(table.rows):
        row = table.first_row + offset
        values = {name: cells[column].strip() for name, column in mapping.items()}
        if not any(values.values()):
            result.empty_rows += 1
            continue
        code = values.get("accessCode", "")
        if code:
            rows_of.setdefault(code, []).append(row)
            if len(rows_of[code]) > 1:
                continue  # reported below; the first row with this code stands
        else:
            result.without_code += 1
        result.guests.append(guest_object(values, row, sheet_name))
    result.duplicates = {code: rows for code, rows in rows_of.items() if len(rows) > 1}
    return result


def load_file(path: Path, overrides: Iterable[str] = ()) -> SheetImport:
    table = read_table(path)
    mapping = apply_overrides(guess_mapping(table.headers), table.headers, overrides)
    if not {"accessCode", "firstName", "lastName", "email", "company"} & set(mapping):
        found = ", ".join(h for h in table.headers if h) or "none"
        raise SpreadsheetError(
            phrase(
                "no column looks like a code or a name (headers: {found}); "
                "map them with field=Column",
                found=found,
            )
        )
    return import_table(table, mapping, path.name)


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
# The control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE; kept
# here so reading a CSV does not import openpyxl).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
        self.sheet: SheetImport | None = None

    def full_load(self) -> Iterator[list[tuple[dict[str, Any], str]]]:
        self.sheet = load_file(self.path, self.overrides)
        guests = wire_guests(self.sheet)
        for start in range(0, len(guests), 2000):
            yield guests[start : start + 2000]

    def cursor(self) -> str:
        import hashlib

        return "file:" + hashlib.sha256(self.path.read_bytes()).hexdigest()
