"""`doorcheck print CODE`: one guest's badge to a PDF file or a printer (issue 15)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from doorcheck.commands.common import CommandError, open_door


def cmd_print(args: argparse.Namespace) -> int:
    """The badge of the guest with ticket code ``args.code``, printed as the window
    prints it, and logged in the door's print log."""
    if args.out is not None and args.printer is not None:
        raise CommandError("give --out FILE or --printer NAME, not both")
    # A PDF and a printer need no window: Qt's offscreen platform paints them.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from doorcheck.domain.badge import PDF_PRINTER, label_size
    from doorcheck.session.badges import badge_for_code, badge_options, claim_print, finish_print
    from doorcheck.ui.badge import BadgeError, print_badge

    _app = QGuiApplication.instance() or QGuiApplication(["doorcheck"])
    with open_door(args) as door:
        store = door.store
        guest_id, text = badge_for_code(store, args.code)
        options = badge_options(store)
        size = label_size(args.size or options.size)
        pdf: Path | None = Path(args.out) if args.out is not None else None
        printer = args.printer if args.printer is not None else options.printer
        if pdf is None and printer == PDF_PRINTER:
            raise CommandError("this door prints badges to PDF files: give --out FILE")
        claim = claim_print(store, guest_id, f"PDF: {pdf.name}" if pdf else printer or "default",
                            False)  # fmt: skip
        try:
            where = print_badge(text, size, printer=printer if pdf is None else "", pdf=pdf)
        except BadgeError as exc:
            if claim is not None:
                finish_print(store, claim, exc.printer, exc.why)
            raise CommandError(f"badge not printed: {exc.printer}: {exc.why}") from None
        if claim is not None:
            finish_print(store, claim, where, None)
    print(f"Badge of {text.name} ({size.name}) printed: {where}")
    return 0
