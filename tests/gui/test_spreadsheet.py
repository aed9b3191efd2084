"""Guest lists from CSV and XLSX files, the kiosk working from one, and check-ins
exported; odd encodings, separators, empty rows, duplicates, bad files, 100,000 rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from doorcheck.app import Kiosk
from doorcheck.cli import main as doorcheck
from doorcheck.connectors.base import Capability, load_full
from doorcheck.connectors.spreadsheet import (
    SpreadsheetConnector,
    SpreadsheetError,
    load_file,
)
from doorcheck.domain.verdict import VerdictKind
from doorcheck.paths import store_path
from doorcheck.store.credentials import load_login
from doorcheck.store.local import LocalStore
from tests.support.kiosk import open_kiosk

GERMAN = "Vorname;Nachname;Firma;E-Mail;Ticketnummer;Bemerkung\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_german_excel_csv_with_bom_and_semicolons(tmp_path: Path) -> None:
    sheet = load_file(
        write(
            tmp_path / "gäste.csv",
            GERMAN
            + "Jürgen;Müller;Brückenbau KG;j@example.org;T-1001;VIP\n"
            + ";;;;;\n"
            + "Anaïs;Lumière;;a@example.org;T-1002;\n"
            + "Dup;Licate;;;T-1001;\n"
            + "Ohne;Code;;;;\n",
            "utf-8-sig",
        )
    )
    assert (sheet.table.encoding, sheet.table.delimiter) == ("utf-8-sig", ";")
    assert set(sheet.mapping) == {"firstName", "lastName", "company", "email", "accessCode",
                                  "notes"}  # fmt: skip
    codes = [g["accessCode"] for g in sheet.guests]
    assert codes == ["T-1001", "T-1002", None]
    assert sheet.guests[0]["fields"] == {
        "firstName": "Jürgen", "lastName": "Müller", "company": "Brückenbau KG",
        "email": "j@example.org", "notes": "VIP"}  # fmt: skip
    assert sheet.duplicates == {"T-1001": [2, 5]}
    assert (sheet.empty_rows, sheet.without_code) == (1, 1)
    assert "code T-1001 is on rows 2, 5" in str(sheet.problems()[0])


def test_windows_1252_commas_and_a_title_row_above_the_header(tmp_path: Path) -> None:
    text = "\n\nFirst name,Last name,Company,Code\nSøren,Ærø,Café Crème,C-1\nZoë,Brontë,,C-2\n"
    sheet = load_file(write(tmp_path / "list.csv", text, "cp1252"))
    assert (sheet.table.encoding, sheet.table.delimiter) == ("cp1252", ",")
    assert sheet.table.first_row == 4
    assert [g["fields"]["lastName"] for g in sheet.guests] == ["Ærø", "Brontë"]
    assert sheet.guests[0]["fields"]["company"] == "Café Crème"


def test_tabs_and_columns_mapped_by_hand(tmp_path: Path) -> None:
    path = write(tmp_path / "list.tsv", "Wer\tNummer\tX\nIda Neu\t77\tz\n")
    with pytest.raises(SpreadsheetError, match="no column looks like a code or a name"):
        load_file(path)
    sheet = load_file(path, ["lastName=Wer", "accessCode=2"])
    assert sheet.guests[0]["accessCode"] == "77"
    assert sheet.guests[0]["fields"] == {"lastName": "Ida Neu"}
    with pytest.raises(SpreadsheetError, match="unknown field"):
        load_file(path, ["shoeSize=1"])
    with pytest.raises(SpreadsheetError, match="no column 'Nope'"):
        load_file(path, ["email=Nope"])


def test_xlsx_with_numbers_as_codes(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ticket", "Vorname", "Nachname"])
    sheet.append([1042, "Jürgen", "Müller"])
    sheet.append([None, None, None])
    sheet.append(["A-7", "Ana", "Lu"])
    book.save(path)
    imported = load_file(path)
    assert [g["accessCode"] for g in imported.guests] == ["1042", "A-7"]
    assert imported.empty_rows == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("list.xlsx", b"PK\x03\x04 this is not a workbook"),
        ("list.csv", b""),
        ("list.csv", bytes(range(256)) * 40),
    ],
)
def test_a_file_that_is_no_guest_list_gets_a_sentence(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpreadsheetError) as caught:
        load_file(path)
    assert str(caught.value)  # a message for the organizer, not a traceback


def test_the_same_list_imported_again_keeps_its_guest_ids(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", "Code,Name\nA,Ann\nB,Ben\n")
    first = [g["id"] for g in load_file(path).guests]
    write(path, "Code,Name\nB,Ben\nA,Ann\nC,Cem\n")
    again = {g["accessCode"]: g["id"] for g in load_file(path).guests}
    assert [again["A"], again["B"]] == first


def test_a_hundred_thousand_rows_load_into_the_store(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Ticketnummer", "Vorname", "Nachname", "Firma"])
        for i in range(100_000):
            writer.writerow([f"T{i:06d}", f"Gäst{i}", "Müller", f"Firma {i % 97}"])
            if i % 1000 == 0:
                writer.writerow([])
    connector = SpreadsheetConnector(path)
    assert connector.capabilities == {Capability.READ}
    store = LocalStore.open(tmp_path / "door.sqlite3")
    try:
        assert load_full(store, connector) == 100_000
        assert store.status().guests == 100_000
        view = store.guest_by_code("T099999")
        assert view is not None and view.guest.display_name == "Gäst99999 Müller"
    finally:
        store.close()
    assert load_file(path).empty_rows == 100


def test_preview_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "gäste.csv", GERMAN + "Jürgen;Müller;;;T-1;\n", "utf-8-sig")
    data = tmp_path / "door"
    assert doorcheck(["import", str(path), "--preview", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "accessCode  <- column 5 'Ticketnummer'" in out and "T-1" in out
    assert "1 guests would be loaded" in out
    assert not data.exists()


@pytest.fixture
def file_door(tmp_path: Path) -> Path:
    path = write(
        tmp_path / "gäste.csv",
        GERMAN + "Jürgen;Müller;KG;j@example.org;T-1;\nAnaïs;Lumière;;;T-2;\n",
        "utf-8-sig",
    )
    assert doorcheck(["import", str(path), "--data", str(tmp_path / "door"),
                      "--mode", "toggle"]) == 0  # fmt: skip
    return path


def test_the_command_line_checks_in_from_a_file_and_exports(
    file_door: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["checkin", "T-1", *data]) == 0
    assert "[recorded]" in capsys.readouterr().out
    assert doorcheck(["checkin", "T-1", *data]) == 1  # already in, at once, from the copy
    # Importing the (updated) file again keeps what the door did.
    with file_door.open("a", encoding="utf-8") as handle:
        handle.write("Late;Comer;;;T-3;\n")
    assert doorcheck(["import", str(file_door), *data]) == 0
    capsys.readouterr()
    assert doorcheck(["status", *data]) == 0
    out = capsys.readouterr().out
    assert "Guest list:" in out and "Checked in:      1 of 3" in out
    assert "Waiting uploads" not in out  # a file takes no uploads: not shown
    for name in ("out.csv", "out.xlsx"):
        assert doorcheck(["export", "--out", str(tmp_path / name), *data]) == 0
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Code", "First name", "Last name"]
    assert [[*r[:3], r[6]] for r in rows[1:]] == [["T-1", "Jürgen", "Müller", "Main Entrance"]]
    book = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[1][:3] == ("T-1", "Jürgen", "Müller")


def test_an_export_that_cannot_be_written_says_so_and_leaves_nothing(
    file_door: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The target is a folder: the file is written beside it, cannot replace it, and
    # is removed again (as on a full disk, where the write itself fails).
    target = tmp_path / "exports"
    target.mkdir()
    code = doorcheck(["export", "--out", str(target), "--data", str(tmp_path / "door")])
    assert code == 1 and "cannot write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("exports")) == ["exports"]


@pytest.fixture
def file_kiosk(file_door: Path, tmp_path: Path, qtbot: QtBot) -> Iterator[Kiosk]:
    data = tmp_path / "door"
    saved = load_login(data)
    assert saved is not None and saved[1] == ""  # no App Code for a file
    # A short interval: the door notices the file changing quickly.
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), interval=0.2) as kiosk:
        yield kiosk


def test_the_kiosk_works_from_a_file_and_reloads_it_when_it_changes(
    file_kiosk: Kiosk, file_door: Path, qtbot: QtBot
) -> None:
    kiosk = file_kiosk
    assert kiosk.window.status.online.text() == "Guest list from gäste.csv"
    assert kiosk.window.status.waiting.isHidden()  # nothing is ever uploaded from here
    assert kiosk.scan("T-2", "scanner").verdict.kind == VerdictKind.ADMIT
    qtbot.waitUntil(lambda: kiosk.store.status().pending == 0, timeout=5000)  # applied here
    assert [c.state for c in kiosk.store.changes()] == ["applied"]
    # The organizer adds a late guest to the file: the door picks it up, and keeps
    # its check-in of T-2.
    with file_door.open("a", encoding="utf-8") as handle:
        handle.write("Late;Comer;;;T-3;\n")
    qtbot.waitUntil(lambda: kiosk.store.guest_by_code("T-3") is not None, timeout=10_000)
    view = kiosk.store.guest_by_code("T-2")
    assert view is not None and view.guest.is_checked_in
    assert kiosk.scan("T-2", "scanner").verdict.kind == VerdictKind.EXIT  # toggle: out
    # A broken file: the door keeps the list it has, and says why.
    file_door.write_bytes(b"\x00\x01 garbage")
    qtbot.waitUntil(lambda: "cannot be read" in kiosk.window.status.online.toolTip(),
                    timeout=10_000)  # fmt: skip
    assert kiosk.store.status().guests == 3
    assert store_path(kiosk.data_dir, saved_event(kiosk), "Main Entrance").exists()


def saved_event(kiosk: Kiosk) -> str:
    return kiosk.client.credentials.event_id


def test_the_login_screen_loads_a_spreadsheet(qtbot: QtBot, tmp_path: Path) -> None:
    from doorcheck.session.login import log_in_and_load, preview_lines
    from doorcheck.ui.login_dialog import LoginDialog

    path = write(tmp_path / "gäste.csv", GERMAN + "Jürgen;Müller;;;T-1;\n", "utf-8-sig")
    data = tmp_path / "door"
    dialog = LoginDialog(lambda *values: log_in_and_load(data, *values), preview=preview_lines)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.form.isRowVisible(dialog.app_code)  # a station asks for an App Code
    dialog.source.setCurrentIndex(dialog.source.findData("spreadsheet"))
    # A file needs no App Code and no event; it is chosen by path (or "Choose...").
    assert not dialog.form.isRowVisible(dialog.app_code)
    assert not dialog.form.isRowVisible(dialog.event_id)
    assert dialog.browse.isVisible() and not dialog.scan_button.isVisible()
    dialog.submit()
    assert "Fill in the fields shown" in dialog.message.text()
    dialog.server.setText(str(path))
    dialog.show_preview(str(path))  # what "Choose..." does once a file is picked
    qtbot.waitUntil(lambda: "1 guest (" in dialog.message.text(), timeout=10_000)
    assert "lastName = 'Nachname'" in dialog.message.text()
    assert "T-1  Jürgen Müller" in dialog.message.text()
    dialog.station.setText("Garderobe")
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        dialog.submit()
    saved = load_login(data)
    assert saved is not None and saved[0].station_name == "Garderobe"
    assert saved[0].server.endswith("gäste.csv")


def test_the_preview_and_login_errors_speak_the_window_language(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QApplication

    from doorcheck.session.login import log_in_and_load, preview_lines
    from doorcheck.ui.i18n import install_language
    from doorcheck.ui.login_dialog import LoginDialog

    rows = "Jürgen;Müller;;;T-1;\n;;;;;\nAnna;Ohnecode;;;;\n"
    path = write(tmp_path / "liste.csv", GERMAN + rows)
    # The command line and logs read English; the same lines are phrases underneath.
    english = [str(line) for line in preview_lines(str(path))]
    assert english[0].startswith("liste.csv: 2 guests (")
    assert "1 guest has no code: find them by name at the door" in english
    assert "1 empty row skipped" in english
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        install_language(app, "de")
        dialog = LoginDialog(lambda *values: None, preview=preview_lines)
        qtbot.addWidget(dialog)
        dialog.show_preview(str(path))
        qtbot.waitUntil(lambda: "liste.csv: 2 Gäste (" in dialog.message.text(), timeout=10_000)
        shown = dialog.message.text()
        assert "1 Gast hat keinen Code: am Eingang nach Namen suchen" in shown
        assert "1 leere Zeile übersprungen" in shown and "T-1  Jürgen Müller" in shown
        dialog.show_preview(str(tmp_path / "fehlt.csv"))
        qtbot.waitUntil(lambda: "lässt sich nicht öffnen" in dialog.message.text(), timeout=10_000)
        # Logging in with a list that is not there: the real login, refused in German.
        login = LoginDialog(lambda *values: log_in_and_load(tmp_path / "door", *values))
        qtbot.addWidget(login)
        login.source.setCurrentIndex(login.source.findData("spreadsheet"))
        login.server.setText(str(tmp_path / "fehlt.csv"))
        login.station.setText("Garderobe")
        login.submit()
        qtbot.waitUntil(lambda: "lässt sich nicht öffnen" in login.message.text(), timeout=15_000)
        assert login.button.isEnabled() and login.result() == 0  # still open, can retry
    finally:
        install_language(app, "en")


def test_the_window_exports_check_ins(file_kiosk: Kiosk, tmp_path: Path, qtbot: QtBot) -> None:
    from doorcheck.app import export_check_ins

    kiosk = file_kiosk
    statistics = kiosk.window.statistics
    assert statistics is not None and not statistics.export.isHidden()
    kiosk.scan("T-1", "scanner")
    exported: list[Path] = []
    export_check_ins(kiosk, tmp_path / "door-export.csv", exported.append)
    qtbot.waitUntil(lambda: bool(exported), timeout=10_000)  # written off the GUI thread
    written = exported[0]
    with written.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ["T-1"]


def test_a_list_full_of_repeated_codes_gives_a_few_lines_not_one_a_code(tmp_path: Path) -> None:
    rows = "".join(f"C-{i},Twice {i}\nC-{i},Again {i}\n" for i in range(1000))
    path = write(tmp_path / "list.csv", "Code,Name\n" + "X-1,Often\n" * 50 + rows)
    sheet = load_file(path)
    assert len(sheet.guests) == 1001  # the first row of each code
    lines = [str(line) for line in sheet.problems()]
    assert len(lines) == 11
    assert lines[0] == ("code X-1 is on rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …: "
                        "only row 2 was kept")  # fmt: skip
    assert lines[1] == "code C-0 is on rows 52, 53: only row 52 was kept"
    # 40 more rows of X-1, and 991 codes repeated once each beyond the 9 listed.
    assert lines[10] == (
        "1031 more rows repeat a code of a row above them: only the first row of each code was kept"
    )


def test_an_encrypted_door_without_its_key_says_so_in_a_box(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started from the desktop's menu, no terminal shows the refusal: the window
    does, and the store is left as it is."""
    import doorcheck.app as app_module
    from doorcheck.app import run_kiosk
    from doorcheck.session.errors import DoorError, Problem
    from doorcheck.store.credentials import SECRET_FILE

    sheet = write(tmp_path / "guests.csv", GERMAN + "Jürgen;Müller;;;T-1001;\n")
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["import", str(sheet), "--encrypt", *data]) == 0
    (tmp_path / "door" / SECRET_FILE).unlink()  # the key is gone
    (store,) = (tmp_path / "door").rglob("*.sqlite3")
    before = store.read_bytes()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_module, "warn", lambda _parent, title, text: shown.append(
        (title, text)))  # fmt: skip
    with pytest.raises(DoorError) as refused:
        run_kiosk(tmp_path / "door", camera="none")
    assert refused.value.problem == Problem.STORE_NO_KEY
    assert shown and shown[0][0] == "This door cannot open"
    assert "encrypted and its key cannot be found" in shown[0][1]
    assert store.read_bytes() == before
