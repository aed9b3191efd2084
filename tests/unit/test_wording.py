"""Every code the door reports has its words in one place (doorcheck.wording): English
on the command line, the window's language on screen; the domain only decides."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from doorcheck.domain.changes import Action, ChangeNote
from doorcheck.domain.codes import InvalidCode
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.verdict import Mode, Verdict, VerdictKind, decide
from doorcheck.ui.changes_dialog import ChangesDialog
from doorcheck.ui.i18n import install_language, say
from doorcheck.ui.verdict_panel import VerdictPanel
from doorcheck.views import ChangeView, ScanOutcome
from doorcheck.wording import (
    change_note,
    headline,
    invalid_code_words,
    verdict_lines,
    verdict_title,
    verdict_words,
)
from doorcheck.words import Phrase, phrase
from tests.support import settled

T = datetime(2026, 11, 21, 17, 31, tzinfo=UTC)
JANE = Guest(
    id="g",
    access_code="C",
    registration_state=RegistrationState.REGISTERED,
    fields={"firstName": "Jane", "lastName": "Doe"},
)


def every_verdict() -> list[Verdict]:
    """One verdict of each kind, and each variant a kind's words depend on."""
    verdicts = [Verdict(kind, JANE) for kind in VerdictKind if kind != VerdictKind.WRONG_MODE]
    verdicts += [
        Verdict(VerdictKind.ALREADY_IN, JANE, since=T, station="Side Door"),
        Verdict(VerdictKind.WRONG_MODE, JANE, action_refused=Action.CHECK_OUT),
        Verdict(VerdictKind.WRONG_MODE, JANE, action_refused=Action.CHECK_IN),
        Verdict(VerdictKind.ADMIT, replace(JANE, companion_ids=["a", "b"])),
    ]
    verdicts += [Verdict(VerdictKind.INVALID_CODE, invalid=reason) for reason in InvalidCode]
    return verdicts


def test_every_verdict_has_its_own_headline_and_title() -> None:
    said = [str(verdict_words(verdict)) for verdict in every_verdict()]
    assert all(said) and len(set(said)) == len(said)
    titles = [verdict_title(kind) for kind in VerdictKind]
    assert all(titles) and len(set(titles)) == len(titles)


def test_every_invalid_code_reason_has_its_own_words() -> None:
    said = {str(invalid_code_words(reason)) for reason in InvalidCode}
    assert len(said) == len(InvalidCode) and all(s.endswith(".") for s in said)
    assert str(invalid_code_words(None)) == "Not a valid ticket code"


def test_the_headlines_read_as_the_command_line_always_printed_them() -> None:
    party = replace(JANE, companion_ids=["a", "b"])
    assert str(verdict_words(decide(party, Mode.CHECK_IN))) == "Welcome, Jane Doe (+2)"
    again = decide(
        replace(JANE, check_in=T, check_in_station="Main Entrance"),
        Mode.CHECK_IN,
    )
    assert str(verdict_words(again)) == (
        f"Jane Doe: already checked in at {T.astimezone():%H:%M} at Main Entrance"
    )
    inside = replace(JANE, check_in=T)
    refused_out = verdict_words(decide(inside, Mode.CHECK_IN, Action.CHECK_OUT))
    assert str(refused_out) == "This station only checks guests in: nobody is checked out here"
    refused_in = verdict_words(decide(JANE, Mode.CHECK_OUT, Action.CHECK_IN))
    assert str(refused_in) == "This station only checks guests out: nobody is checked in here"
    empty = Verdict(VerdictKind.INVALID_CODE, invalid=InvalidCode.EMPTY)
    assert str(headline(ScanOutcome(empty, None))) == "The code is empty."
    companion = ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), "C", main_guest=JANE)
    assert str(headline(companion)) == "Welcome, Jane Doe (companion of Jane Doe)"


def test_names_are_data_and_the_doors_words_are_phrases() -> None:
    outcome = ScanOutcome(Verdict(VerdictKind.NOT_INSIDE, JANE), "C")
    assert verdict_lines(outcome) == [
        "Jane Doe",  # the guest's name, never looked up in the catalogue
        Phrase("is not checked in"),
    ]


def change(**kw: object) -> ChangeView:
    base: dict[str, object] = {
        "nonce": "n", "guest_id": "g", "guest_name": "Jane Doe", "action": "checkIn",
        "door_time": T.isoformat(), "state": "conflict", "attempts": 1, "message": None,
        "last_error": None,
    }  # fmt: skip
    return ChangeView(**{**base, **kw})  # type: ignore[arg-type]


def test_a_change_is_worded_from_its_codes() -> None:
    data = {"time": "2026-11-21T17:30:00+00:00", "station": "Side Door"}
    superseded = change(note=ChangeNote.SUPERSEDED, note_data=data)
    assert str(change_note(superseded)) == (
        "Already checked in earlier (2026-11-21T17:30:00+00:00 at Side Door);"
        " this check-in was not needed."
    )
    nowhere = change(note=ChangeNote.SUPERSEDED, note_data={**data, "station": None})
    assert str(change_note(nowhere)) == (
        "Already checked in earlier (2026-11-21T17:30:00+00:00); this check-in was not needed."
    )
    # A rejection: the door's words for the server's code; else the server's own words,
    # else the last error met uploading.
    assert str(change_note(change(state="rejected", code=2010))) == (
        "Guest was deleted from the guest list."
    )
    assert change_note(change(message="The server's own words.")) == "The server's own words."
    assert change_note(change(state="pending", last_error="offline")) == "offline"
    assert change_note(change(state="pending")) == ""


@pytest.fixture
def german(qapp: QApplication) -> Iterator[QApplication]:
    app = qapp
    install_language(app, "de")
    yield app
    install_language(app, "en")


@pytest.mark.usefixtures("german")
def test_the_verdict_panel_says_why_a_code_is_not_a_ticket_in_german(qtbot: QtBot) -> None:
    panel = VerdictPanel(hold_ms=60_000)
    qtbot.addWidget(panel)
    wrong = Verdict(VerdictKind.INVALID_CODE, invalid=InvalidCode.WRONG_EVENT)
    panel.show_outcome(ScanOutcome(wrong, None))
    assert panel.title.text() == "Kein Ticket"
    assert panel.detail.text() == "Das ist kein Ticket dieses Events."
    # Every reason and every headline has a German translation of its own.
    for reason in InvalidCode:
        assert say(invalid_code_words(reason)) != str(invalid_code_words(reason))
    for verdict in every_verdict():
        assert say(verdict_words(verdict)) != str(verdict_words(verdict))


@pytest.mark.usefixtures("german")
def test_the_list_of_changes_words_the_codes_in_german(qtbot: QtBot) -> None:
    data = {"time": "2026-11-21T17:30:00+00:00", "station": "Side Door"}
    rows = [
        change(nonce="n1", note=ChangeNote.SUPERSEDED, note_data=data),
        change(nonce="n2", state="rejected", code=2010),
        change(nonce="n3", message="Guest is deregistered."),  # a server's words: its own
    ]
    dialog = ChangesDialog(lambda: rows)
    qtbot.addWidget(dialog)
    settled(qtbot, dialog)

    def note(row: int) -> str:
        item = dialog.table.item(row, 4)
        assert item is not None
        return item.text()

    assert note(0) == (
        "Schon früher eingecheckt (2026-11-21T17:30:00+00:00 über Side Door);"
        " dieser Check-in war nicht nötig."
    )
    assert (
        note(1)
        == say(phrase("Guest was deleted from the guest list."))
        != ("Guest was deleted from the guest list.")
    )
    assert note(2) == "Guest is deregistered."  # shown as the server sent it
