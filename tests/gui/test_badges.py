"""Badges on check-in (issue 15), printed to PDF and read back: the page rendered by
PDFium (pypdfium2, another PDF implementation than Qt's) and its QR code decoded by
the project's own decoder; the print log's "once"; a failing printer; the command."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from doorcheck import app as app_module
from doorcheck.app import Kiosk, open_settings, reprint_badge
from doorcheck.cli import main as doorcheck
from doorcheck.domain.badge import (
    LABEL_SIZES,
    PDF_PRINTER,
    AutoPrint,
    BadgeOptions,
    BadgeText,
)
from doorcheck.domain.verdict import VerdictKind
from doorcheck.paths import store_path
from doorcheck.scan.decoder import Decoder
from doorcheck.session.badges import (
    badge_options,
    claim_print,
    finish_print,
    print_log,
    set_badge_options,
)
from doorcheck.settings import KioskSettings
from doorcheck.store.badges import FAILED, PRINTED
from doorcheck.store.local import LocalStore
from doorcheck.ui import badge as badge_module
from doorcheck.ui.badge import BadgeDesk, BadgeError, BadgeOptionsForm, print_badge, print_for
from doorcheck.ui.settings_dialog import SettingsDialog
from tests.support.cli import doorcheck as doorcheck_process
from tests.support.cli import doorcheck_here
from tests.support.kiosk import open_kiosk, when_modal

PT_PER_MM = 72 / 25.4
RENDER_DPI = 300


class ReadBack:
    """A one-page PDF as a reader sees it: its size, its text, its pixels, its codes."""

    def __init__(self, path: Path) -> None:
        document = pdfium.PdfDocument(str(path))
        assert len(document) == 1
        page = document[0]
        width_pt, height_pt = page.get_size()
        self.size_mm = (width_pt / PT_PER_MM, height_pt / PT_PER_MM)
        textpage = page.get_textpage()
        self.text = " ".join(textpage.get_text_range().split())
        # Every character's box, in millimetres from the top left.
        self.char_boxes: list[tuple[float, float, float, float]] = []
        for index in range(textpage.count_chars()):
            left, bottom, right, top = (v / PT_PER_MM for v in textpage.get_charbox(index))
            page_height = height_pt / PT_PER_MM
            self.char_boxes.append((left, page_height - top, right, page_height - bottom))
        bitmap = page.render(scale=RENDER_DPI / 72)
        self.pixels = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])  # BGR(x)
        self.codes = [code.text for code in Decoder(["QRCode"]).decode(self.pixels)]
        document.close()

    def colour_at_mm(self, x: float, y: float) -> tuple[int, int, int]:
        """(r, g, b) of the rendered page at a point."""
        scale = RENDER_DPI / 25.4
        blue, green, red = self.pixels[int(y * scale), int(x * scale)]
        return int(red), int(green), int(blue)


@pytest.mark.parametrize("key", list(LABEL_SIZES))
def test_a_badge_printed_to_pdf_reads_back(qtbot: QtBot, tmp_path: Path, key: str) -> None:
    size = LABEL_SIZES[key]
    text = BadgeText("Jürgen Müller", "Brückenbau KG", "T-1001/ÄÖ", "#1e88e5")
    path = tmp_path / f"{key}.pdf"
    assert print_badge(text, size, pdf=path) == f"PDF: {key}.pdf"
    page = ReadBack(path)
    assert page.size_mm == pytest.approx((size.width_mm, size.height_mm), abs=0.5)
    assert "Jürgen Müller" in page.text and "Brückenbau KG" in page.text
    assert page.codes == ["T-1001/ÄÖ"]
    red, green, blue = page.colour_at_mm(size.width_mm / 2, 2.0)  # the band
    assert (abs(red - 0x1E), abs(green - 0x88), abs(blue - 0xE5)) < (8, 8, 8)
    assert page.colour_at_mm(size.width_mm - 1.0, size.height_mm - 1.0) == (255, 255, 255)


def test_a_long_name_shrinks_and_is_elided_inside_its_box(qtbot: QtBot, tmp_path: Path) -> None:
    size = LABEL_SIZES["brother62"]
    name = "Maximiliane-Theodora von und zu Musterfrau-Schmidt-Oberhausen " * 4
    text = BadgeText(name.strip()[:200], "Internationale Gesellschaft für Beispiele " * 5,
                     "LONG-1", None)  # fmt: skip
    path = tmp_path / "long.pdf"
    print_badge(text, size, pdf=path)
    page = ReadBack(path)
    assert page.codes == ["LONG-1"]
    assert "\u2026" in page.text and page.text.startswith("Maximiliane")
    qr_left = size.width_mm - 3.0 - min(62.0 - 6.0, (size.width_mm - 6.0) * 0.4)
    for left, top, right, bottom in page.char_boxes:
        if right > left:  # a drawn character (line breaks have no box)
            assert left >= 2.9 and right <= qr_left and top >= 2.9 and bottom <= 62.0 - 2.9


def test_text_from_outside_is_painted_as_text(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "markup.pdf"
    print_badge(BadgeText("<b>Bold</b> &amp; Co", "<i>x</i>", "M-1"), LABEL_SIZES["dymo"], pdf=path)
    shown = ReadBack(path).text.replace(" ", "")  # wrapped where it fits
    assert "<b>Bold</b>&amp;Co" in shown and "<i>x</i>" in shown


def test_a_pdf_that_cannot_be_written_is_refused_in_words(qtbot: QtBot, tmp_path: Path) -> None:
    text = BadgeText("Ann Lee", "", "T-1")
    with pytest.raises(BadgeError) as missing:
        print_badge(text, LABEL_SIZES["a6"], pdf=tmp_path / "nowhere" / "badge.pdf")
    assert missing.value.printer == "PDF: badge.pdf" and "does not exist" in missing.value.why
    with pytest.raises(BadgeError) as unknown:
        print_badge(text, LABEL_SIZES["a6"], printer="No_Such_Printer_On_This_Laptop")
    assert unknown.value.printer == "No_Such_Printer_On_This_Laptop"
    assert "no such printer" in unknown.value.why


def test_an_unexpected_error_while_printing_is_logged_as_failed(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore.open(tmp_path / "store.db")
    desk = BadgeDesk(
        options=lambda: BadgeOptions(AutoPrint.ONCE, "Label_Printer", "dymo"),
        text_of=lambda guest_id: BadgeText("Ann Lee", "", "T-1"),
        claim=partial(claim_print, store),
        finish=partial(finish_print, store),
        pdf_folder=tmp_path,
    )

    def driver_crash(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the driver said something")

    monkeypatch.setattr(badge_module, "print_badge", driver_crash)
    try:
        with pytest.raises(RuntimeError):
            print_for(desk, "g1", reprint=False)
        (logged,) = print_log(store)
        assert (logged.result, logged.error) == (FAILED, "RuntimeError")
        # Not left "printing": "once" tries again at the next check-in.
        monkeypatch.undo()
        monkeypatch.setattr(badge_module, "print_badge", lambda *a, **k: "Label_Printer")
        done = print_for(desk, "g1", reprint=False)
        assert done is not None and (done.printer, done.error) == ("Label_Printer", None)
        assert print_for(desk, "g1", reprint=False) is None  # and once is once
    finally:
        store.close()


# -- at the door ------------------------------------------------------------------------


def door(tmp_path: Path) -> Path:
    source = tmp_path / "guests.csv"
    source.write_text("Code,First name,Last name,Company\nT-1,Ann,Lee,Acme Ltd\nT-2,Ben,Ode,\n")
    data = tmp_path / "door"
    assert doorcheck(["import", str(source), "--mode", "toggle", "--data", str(data)]) == 0
    return data


def badges_of(data: Path) -> list[Path]:
    return sorted((data / "badges").glob("*.pdf"))


def settle(qtbot: QtBot) -> None:
    """Every badge task finished and its answer delivered to the window."""
    assert QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.wait(50)


def scan_in(kiosk: Kiosk, code: str) -> None:
    """``code`` checked in (out first if inside): a toggle door's third scan is the
    guest's second check-in."""
    if kiosk.scan(code, "scanner").verdict.kind != VerdictKind.ADMIT:
        assert kiosk.scan(code, "scanner").verdict.kind == VerdictKind.ADMIT


@pytest.mark.parametrize(("mode", "expected"), [(AutoPrint.ONCE, 1), (AutoPrint.ALWAYS, 3),
                                                (AutoPrint.OFF, 0)])  # fmt: skip
def test_auto_print_once_always_off(
    qtbot: QtBot, tmp_path: Path, mode: AutoPrint, expected: int
) -> None:
    data = door(tmp_path)
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        set_badge_options(kiosk.store, BadgeOptions(mode, PDF_PRINTER, "dymo"))
        for _ in range(2):
            scan_in(kiosk, "T-1")
            settle(qtbot)
    # After a restart the print log still knows: "once" prints no second badge.
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        scan_in(kiosk, "T-1")
        settle(qtbot)
        assert kiosk.window.scan.badge_note.isHidden()
    printed = badges_of(data)
    assert len(printed) == expected
    if printed:
        page = ReadBack(printed[0])
        assert "Ann Lee" in page.text and "Acme Ltd" in page.text and page.codes == ["T-1"]


def test_a_failing_printer_is_named_and_the_check_in_counts(qtbot: QtBot, tmp_path: Path) -> None:
    data = door(tmp_path)
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        set_badge_options(kiosk.store, BadgeOptions(AutoPrint.ALWAYS, "Gone_Printer_7", "dymo"))
        assert kiosk.scan("T-2", "scanner").verdict.kind == VerdictKind.ADMIT
        note = kiosk.window.scan.badge_note
        qtbot.waitUntil(lambda: not note.isHidden(), timeout=30_000)
        assert note.text().startswith("Badge not printed: Gone_Printer_7: no such printer")
        assert "The check-in counts" in note.text()
        view = kiosk.store.guest_by_code("T-2")
        assert view is not None and view.guest.is_checked_in
        (logged,) = print_log(kiosk.store)
        assert (logged.result, logged.printer) == (FAILED, "Gone_Printer_7")
        # The printer back (here: PDF files): the next badge prints, the note goes.
        set_badge_options(kiosk.store, BadgeOptions(AutoPrint.ALWAYS, PDF_PRINTER, "dymo"))
        assert kiosk.scan("T-1", "scanner").verdict.kind == VerdictKind.ADMIT
        qtbot.waitUntil(note.isHidden, timeout=30_000)
    assert len(badges_of(data)) == 1


def test_a_reprint_from_the_guests_details_after_a_confirmation(
    qtbot: QtBot, tmp_path: Path
) -> None:
    data = door(tmp_path)
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        set_badge_options(kiosk.store, BadgeOptions(AutoPrint.ONCE, PDF_PRINTER, "a6"))
        scan_in(kiosk, "T-1")
        settle(qtbot)
        assert len(badges_of(data)) == 1
        search = kiosk.window.search
        assert search is not None
        search.box.setText("Ann")
        search.refresh()
        qtbot.waitUntil(search.print_badge.isEnabled, timeout=10_000)
        questions: list[str] = []

        def say_no(title: str, text: str) -> bool:
            questions.append(text)
            return False

        kiosk.confirm = say_no
        search.print_badge.click()
        settle(qtbot)
        assert len(questions) == 1 and len(badges_of(data)) == 1  # not confirmed: nothing
        kiosk.confirm = lambda title, text: True
        with qtbot.waitSignal(kiosk.badges.done if kiosk.badges else None, timeout=30_000):
            search.print_badge.click()
        assert len(badges_of(data)) == 2  # printed although "once" had printed it
        assert search.hint.text().startswith("Badge printed on PDF: badge-")
        guest = kiosk.store.guest_by_code("T-1")
        assert guest is not None
        assert [p.result for p in print_log(kiosk.store, guest.guest.id)] == [PRINTED, PRINTED]
        reprint_badge(kiosk, "no-such-guest")  # a guest gone meanwhile: nothing, no error
        settle(qtbot)
    assert ReadBack(badges_of(data)[-1]).size_mm == pytest.approx((105, 148), abs=0.5)


def test_the_settings_dialog_shows_and_returns_the_badge_options(qtbot: QtBot) -> None:
    chosen = BadgeOptions(AutoPrint.ONCE, "Offline_Zebra", "zebra")
    dialog = SettingsDialog(KioskSettings(), [("0", "Camera")], badges=chosen,
                            printers=["Brother_QL_820NWB"])  # fmt: skip
    qtbot.addWidget(dialog)
    form = dialog.badges
    assert isinstance(form, BadgeOptionsForm)
    assert dialog.result_badges() == chosen  # a printer not connected now stays chosen
    form.printer.setCurrentIndex(form.printer.findData("Brother_QL_820NWB"))
    form.auto_print.setCurrentIndex(form.auto_print.findData("always"))
    form.label.setCurrentIndex(form.label.findData("brother62"))
    assert dialog.result_badges() == BadgeOptions(AutoPrint.ALWAYS, "Brother_QL_820NWB",
                                                  "brother62")  # fmt: skip
    assert SettingsDialog(KioskSettings(), [("0", "Camera")]).result_badges() is None


def test_badge_settings_chosen_in_the_window_are_kept_with_the_door(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "list_cameras", list)  # no camera probing here
    data = door(tmp_path)
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera"), 3600) as kiosk:
        assert badge_options(kiosk.store) == BadgeOptions()

        def choose(dialog: QDialog) -> None:
            assert isinstance(dialog, SettingsDialog) and dialog.badges is not None
            form = dialog.badges
            form.auto_print.setCurrentIndex(form.auto_print.findData("always"))
            form.printer.setCurrentIndex(form.printer.findData(PDF_PRINTER))
            form.label.setCurrentIndex(form.label.findData("a6"))
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

        when_modal(choose)
        open_settings(kiosk)
        assert badge_options(kiosk.store) == BadgeOptions(AutoPrint.ALWAYS, PDF_PRINTER, "a6")
        scan_in(kiosk, "T-1")
        settle(qtbot)
    assert [ReadBack(p).size_mm for p in badges_of(data)] == [pytest.approx((105, 148), abs=0.5)]


# -- the command line -----------------------------------------------------------------


def test_doorcheck_print_writes_a_badge_and_logs_it(tmp_path: Path) -> None:
    data = door(tmp_path)
    out = tmp_path / "badge.pdf"
    done = doorcheck_process("print", "T-1", "--out", out, "--size", "zebra", "--data", data)
    assert "Badge of Ann Lee" in done.stdout and "PDF: badge.pdf" in done.stdout
    page = ReadBack(out)
    assert page.codes == ["T-1"] and "Ann Lee" in page.text and "Acme Ltd" in page.text
    assert page.size_mm == pytest.approx((101.6, 76.2), abs=0.5)
    unknown = doorcheck_here("print", "NOPE-9", "--out", out, "--data", data, check=False)
    assert unknown.returncode == 1
    assert "no guest with the code NOPE-9 on this door's list" in unknown.stderr
    nowhere = tmp_path / "missing" / "b.pdf"
    refused = doorcheck_here("print", "T-2", "--out", nowhere, "--data", data, check=False)
    assert refused.returncode == 1 and "badge not printed: PDF: b.pdf: the folder" in refused.stderr
    printer = doorcheck_here("print", "T-2", "--printer", "No_Such_Q", "--data", data, check=False)
    assert printer.returncode == 1 and "No_Such_Q: no such printer" in printer.stderr
    store = LocalStore.open(store_path(data, *_event_and_station(data)))
    try:
        assert [p.result for p in print_log(store)] == [FAILED, FAILED, PRINTED]
    finally:
        store.close()


def _event_and_station(data: Path) -> tuple[str, str]:
    from doorcheck.store.credentials import load_login

    saved = load_login(data)
    assert saved is not None
    login, _ = saved
    return login.event_id, login.station_name
