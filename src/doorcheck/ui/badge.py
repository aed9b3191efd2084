"""A guest's badge painted with Qt and printed through QtPrintSupport (issue 15).

The layout is the domain's (domain/badge.py, millimetres); this module paints it
onto any QPainter (a QPrinter's page, a PDF, an image for the screenshots) and
prints it to a printer the laptop has (CUPS on Linux) or to a PDF file.

Printing may block for seconds (CUPS spooling, a network printer, a driver), so
``print_badge`` is meant for a worker thread (the window's task runner): Qt
supports QPainter on a QPrinter outside the GUI thread ("Painting in threads" in
Qt's documentation), unlike painting on widgets or pixmaps, so the QR code is drawn
as vector rectangles, never through a QPixmap.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import qrcode
from PySide6.QtCore import QMarginsF, QObject, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
)
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from doorcheck.domain.badge import (
    LABEL_SIZES,
    PDF_PRINTER,
    AutoPrint,
    BadgeOptions,
    BadgeText,
    Box,
    LabelSize,
    badge_layout,
    label_size,
)
from doorcheck.ui.i18n import mark, tr
from doorcheck.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

QUIET_MODULES = 4  # the white border a QR code needs around it to be read
MIN_TEXT_MM = 2.2  # smaller than this is not read at arm's length: elided instead
INK = QColor("#1a1a1a")
SOFT_INK = QColor("#4a4a4a")


class BadgeError(Exception):
    """A badge was not printed: ``printer`` names where it should have gone, ``why``
    says what went wrong, in words staff can act on."""

    def __init__(self, printer: str, why: str) -> None:
        self.printer = printer
        self.why = why
        super().__init__(f"{printer}: {why}")


# -- painting -------------------------------------------------------------------------


def paint_badge(painter: QPainter, page: QRectF, text: BadgeText, size: LabelSize) -> None:
    """The badge on ``page`` (the whole label, in the device's pixels)."""
    layout = badge_layout(size, band=text.band_color is not None)
    scale = page.width() / size.width_mm  # device pixels per millimetre

    def rect(box: Box) -> QRectF:
        return QRectF(page.x() + box.x * scale, page.y() + box.y * scale,
                      box.width * scale, box.height * scale)  # fmt: skip

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(rect(layout.label), QColor("white"))
    if layout.band is not None and text.band_color is not None:
        painter.fillRect(rect(layout.band), QColor(text.band_color))
    centred = not size.landscape
    # The name as large as fits its box; the company at most 55 % of it, and the two
    # as one block, centred in the space they share.
    name = _fit_text(painter, rect(layout.name), text.name, layout.name_max_mm * scale,
                     MIN_TEXT_MM * scale, bold=True, centred=centred)  # fmt: skip
    blocks = [(name, INK)]
    if text.company:
        largest = min(layout.company_max_mm * scale, name.pixels * 0.55)
        company = _fit_text(painter, rect(layout.company), text.company, largest,
                            min(largest, MIN_TEXT_MM * scale), bold=False,
                            centred=centred)  # fmt: skip
        blocks.append((company, SOFT_INK))
    area = rect(layout.name).united(rect(layout.company))
    gap = 0.25 * name.pixels if len(blocks) > 1 else 0.0
    top = area.y() + (area.height() - sum(b.height for b, _ in blocks) - gap) / 2
    for fitted, color in blocks:
        box = QRectF(area.x(), top, area.width(), fitted.height)
        painter.save()
        painter.setClipRect(area)  # never outside the text's area, whatever a font does
        painter.setFont(fitted.font)
        painter.setPen(color)
        painter.drawText(box, int(fitted.flags), fitted.shown)  # plain text, no markup
        painter.restore()
        top += fitted.height + gap
    if text.code:
        _paint_qr(painter, rect(layout.qr), text.code)
    painter.restore()


def _badge_font(pixels: float, *, bold: bool) -> QFont:
    font = QFont()
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setFamilies(["DejaVu Sans", "Noto Sans", "Helvetica", "Arial", "sans-serif"])
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    return font


@dataclass(frozen=True)
class _Fitted:
    font: QFont
    pixels: float
    flags: Qt.AlignmentFlag
    shown: str  # the text, or its elided line
    height: float  # what it takes, at most its box's height


def _fit_text(
    painter: QPainter,
    box: QRectF,
    text: str,
    largest: float,
    smallest: float,
    *,
    bold: bool,
    centred: bool,
) -> _Fitted:
    """``text`` as large as fits ``box`` in at most two lines, down to ``smallest``;
    past that one line, elided."""
    horizontal = Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft
    wrapped = horizontal | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    pixels = largest
    while True:
        font = _badge_font(pixels, bold=bold)
        metrics = QFontMetricsF(font, painter.device())
        needed = metrics.boundingRect(box, int(wrapped), text)
        lines = needed.height() / max(1.0, metrics.lineSpacing())
        if needed.width() <= box.width() and needed.height() <= box.height() and lines < 2.5:
            return _Fitted(font, pixels, wrapped, text, needed.height())
        if pixels * 0.92 < smallest:
            break
        pixels *= 0.92
    font = _badge_font(smallest, bold=bold)
    metrics = QFontMetricsF(font, painter.device())
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
    one_line = horizontal | Qt.AlignmentFlag.AlignTop
    return _Fitted(font, smallest, one_line, shown, min(box.height(), metrics.height()))


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules, as the pairing dialog makes them (qrcode's matrix)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def _paint_qr(painter: QPainter, box: QRectF, text: str) -> None:
    """The code as one filled path of whole-pixel modules, centred in ``box`` with its
    quiet zone: one path, so no renderer draws seams between modules."""
    matrix = qr_matrix(text)
    modules = len(matrix) + 2 * QUIET_MODULES
    module = max(1, int(min(box.width(), box.height()) / modules))
    side = module * modules
    left = round(box.x() + (box.width() - side) / 2) + QUIET_MODULES * module
    top = round(box.y() + (box.height() - side) / 2) + QUIET_MODULES * module
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):  # runs of dark modules as one rectangle each
            if not cells[column]:
                column += 1
                continue
            start = column
            while column < len(cells) and cells[column]:
                column += 1
            path.addRect(left + start * module, top + row * module,
                         (column - start) * module, module)  # fmt: skip
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillPath(path, QColor("black"))
    painter.restore()


# -- printing -------------------------------------------------------------------------


def printer_names() -> list[str]:
    """The printers the laptop has (CUPS on Linux), as the system names them. May
    take a moment with network printers: call it off the GUI thread where it can."""
    return list(QPrinterInfo.availablePrinterNames())


def _page_layout(size: LabelSize) -> QPageLayout:
    short, long = sorted((size.width_mm, size.height_mm))
    page = QPageSize(QSizeF(short, long), QPageSize.Unit.Millimeter, size.key,
                     QPageSize.SizeMatchPolicy.ExactMatch)  # fmt: skip
    orientation = (QPageLayout.Orientation.Landscape if size.landscape
                   else QPageLayout.Orientation.Portrait)  # fmt: skip
    return QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def print_badge(
    text: BadgeText, size: LabelSize, *, printer: str = "", pdf: Path | None = None
) -> str:
    """Print one badge to ``pdf`` (a file), or else to the printer named ``printer``
    ("" the system's default printer). Returns where it went, as the print log
    names it; raises BadgeError naming the printer and why it did not print.

    A printer that is offline or out of paper is found when the system says so
    before the job (its state is an error); CUPS may accept a job and only then
    find the printer gone: that is in the printer's own queue, not here.
    """
    if pdf is not None:
        where = f"PDF: {pdf.name}"
        folder = pdf.parent if str(pdf.parent) else Path()
        # Looked at first: QPainter would only say "begin returned false".
        if not folder.is_dir():
            raise BadgeError(where, tr("the folder {folder} does not exist").format(folder=folder))
        if not os.access(folder, os.W_OK) or (pdf.exists() and not os.access(pdf, os.W_OK)):
            raise BadgeError(where, tr("the file cannot be written here (no permission)"))
        device = QPrinter(QPrinter.PrinterMode.HighResolution)
        device.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        device.setOutputFileName(str(pdf))
    else:
        info = QPrinterInfo.printerInfo(printer) if printer else QPrinterInfo.defaultPrinter()
        where = printer or tr("the default printer")
        if info.isNull():
            raise BadgeError(where, tr("no such printer on this laptop") if printer
                             else tr("this laptop has no default printer"))  # fmt: skip
        where = info.printerName()
        if info.state() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
            raise BadgeError(where, tr("the printer reports an error (offline or out of paper?)"))
        device = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    device.setDocName("doorcheck badge")  # the job's name in the queue: no guest's name
    device.setFullPage(True)
    if not device.setPageLayout(_page_layout(size)):
        raise BadgeError(where, tr("the printer does not take labels of {size}").format(
            size=size.name))  # fmt: skip
    painter = QPainter()
    if not painter.begin(device):
        raise BadgeError(where, tr("the printer could not start the job"))
    try:
        paint_badge(painter, device.paperRect(QPrinter.Unit.DevicePixel), text, size)
    finally:
        ended = painter.end()
    if not ended or device.printerState() in (QPrinter.PrinterState.Error,
                                              QPrinter.PrinterState.Aborted):  # fmt: skip
        raise BadgeError(where, tr("the printer failed during the job"))
    if pdf is not None and not (pdf.is_file() and pdf.stat().st_size > 0):
        raise BadgeError(where, tr("the PDF file was not written"))
    return where


# -- printing at check-in --------------------------------------------------------------


@dataclass(frozen=True)
class BadgeDesk:
    """What the badge printer may do with the door, as functions the composition
    root provides (the window never sees the store): each runs on a worker thread."""

    options: Callable[[], BadgeOptions]
    text_of: Callable[[str], BadgeText | None]  # by guest id
    # (guest id, printer, once) -> the print log's id, or None: printed already
    claim: Callable[[str, str, bool], int | None]
    finish: Callable[[int, str, str | None], None]  # (print id, printer, error or None)
    pdf_folder: Path  # where "PDF files" puts them


@dataclass(frozen=True)
class BadgeResult:
    guest_id: str
    printer: str
    error: str | None  # why not, in words; None: printed
    reprint: bool


def _file_part(guest_id: str) -> str:
    """A guest id in a file name: only letters, digits, - and _ (ids come from outside)."""
    return "".join(c for c in guest_id if c.isascii() and (c.isalnum() or c in "-_"))[:40]


class BadgePrinter(QObject):
    """Prints badges for check-ins and reprints on the application's thread pool
    (``print_badge`` may block), and says how each went: ``done`` with a
    BadgeResult, on the GUI thread."""

    done = Signal(object)  # BadgeResult

    def __init__(self, desk: BadgeDesk, parent: QWidget) -> None:
        super().__init__(parent)
        self.desk = desk
        self.tasks = TaskRunner(parent)  # closed with the window (stop_tasks)

    def checked_in(self, guest_id: str) -> None:
        """A guest was just checked in: a badge, if auto-print says so."""
        self._start(guest_id, reprint=False)

    def reprint(self, guest_id: str) -> None:
        """Staff asked (and confirmed): a badge whatever the log says."""
        self._start(guest_id, reprint=True)

    def _start(self, guest_id: str, *, reprint: bool) -> None:
        desk = self.desk

        def work() -> BadgeResult | None:
            return print_for(desk, guest_id, reprint=reprint)

        def done(result: BadgeResult | None) -> None:
            if result is not None:
                self.done.emit(result)

        def failed(exc: BaseException) -> None:
            # The kind only: a driver's message may carry a document's text.
            log.error("a badge could not be printed: %s", type(exc).__name__)
            self.done.emit(BadgeResult(guest_id, tr("the printer"), type(exc).__name__, reprint))

        self.tasks.run(work, done, failed)


def print_for(desk: BadgeDesk, guest_id: str, *, reprint: bool) -> BadgeResult | None:
    """One guest's badge as the door's options say, logged; None when there is
    nothing to print (auto-print off, printed once already, no such guest)."""
    options = desk.options()
    if not reprint and options.auto_print == AutoPrint.OFF:
        return None
    text = desk.text_of(guest_id)
    if text is None:
        return None
    pdf: Path | None = None
    printer = options.printer
    if printer == PDF_PRINTER:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        pdf = desk.pdf_folder / f"badge-{_file_part(guest_id)}-{stamp}.pdf"
        printer = f"PDF: {pdf.name}"
    once = not reprint and options.auto_print == AutoPrint.ONCE
    claim = desk.claim(guest_id, printer or "default", once)
    if claim is None:
        return None  # printed (or on its way) already: "once" prints no second badge
    try:
        if pdf is not None:
            pdf.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        where = print_badge(text, label_size(options.size), printer=options.printer
                            if pdf is None else "", pdf=pdf)  # fmt: skip
    except BadgeError as exc:
        desk.finish(claim, exc.printer, exc.why)
        log.warning("badge for guest %s not printed on %s", guest_id, exc.printer)
        return BadgeResult(guest_id, exc.printer, exc.why, reprint)
    except OSError as exc:  # the badges folder cannot be made
        why = exc.strerror or type(exc).__name__
        desk.finish(claim, printer, why)
        return BadgeResult(guest_id, printer, why, reprint)
    except Exception as exc:
        # Logged as failed, not left "printing" (which "once" takes for printed).
        desk.finish(claim, printer, type(exc).__name__)
        raise
    desk.finish(claim, where, None)
    log.info("badge for guest %s printed on %s", guest_id, where)
    return BadgeResult(guest_id, where, None, reprint)


# -- the settings ---------------------------------------------------------------------

AUTO_PRINT_NAMES = {
    AutoPrint.OFF: mark("Off"),
    AutoPrint.ONCE: mark("Once per guest"),
    AutoPrint.ALWAYS: mark("At every check-in"),
}


class BadgeOptionsForm(QWidget):
    """The door's badge settings as the settings dialog shows them."""

    def __init__(
        self, options: BadgeOptions, printers: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.auto_print = QComboBox()
        self.auto_print.setAccessibleName(tr("Print a badge at check-in"))
        for mode, name in AUTO_PRINT_NAMES.items():
            self.auto_print.addItem(tr(name), mode.value)
        self.auto_print.setCurrentIndex(max(0, self.auto_print.findData(options.auto_print.value)))
        self.printer = QComboBox()
        self.printer.setAccessibleName(tr("Badge printer"))
        self.printer.addItem(tr("The laptop's default printer"), "")
        for name in printers:
            self.printer.addItem(name, name)
        self.printer.addItem(tr("PDF files (the door's badges folder)"), PDF_PRINTER)
        if self.printer.findData(options.printer) < 0:  # a printer not connected now
            self.printer.addItem(options.printer, options.printer)
        self.printer.setCurrentIndex(max(0, self.printer.findData(options.printer)))
        self.label = QComboBox()
        self.label.setAccessibleName(tr("Label size"))
        for key, label in LABEL_SIZES.items():
            self.label.addItem(label.name, key)
        self.label.setCurrentIndex(max(0, self.label.findData(options.size)))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(tr("Print at check-in"), self.auto_print)
        form.addRow(tr("Printer"), self.printer)
        form.addRow(tr("Label"), self.label)

    def options(self) -> BadgeOptions:
        return BadgeOptions(
            auto_print=AutoPrint.parse(self.auto_print.currentData()),
            printer=str(self.printer.currentData() or ""),
            size=str(self.label.currentData()),
        )
