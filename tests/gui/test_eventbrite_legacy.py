"""Eventbrite's legacy XML API and attendee lists saved from it: parsed safely,
barcodes in both forms, one guest per barcode, errors in words, hostile XML refused;
a fake of the API over real HTTP for pages and increments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from doorcheck.cli import main as doorcheck
from doorcheck.connectors.base import SourceError
from doorcheck.connectors.eventbrite_legacy import (
    MAX_FILE_BYTES,
    LegacyConnector,
    LegacySettings,
    parse_attendees,
    parse_events,
)
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.server.serve import serve_app_in_thread
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.sync.source_sync import SourceSync

# The example answer of user_list_events, as the seed documents it (abridged).
EVENTS = b"""<?xml version="1.0" encoding="utf-8" ?> <events> <event> <id>908163459</id>
<title>Best NYC New Year's Party</title> <start_date>2008-12-31 20:00:00</start_date>
<status>live</status> <venue> <id>1</id> <name>Madison Square Garden</name> </venue>
<tickets> <ticket> <id>45264859</id> <name>VIP Registration</name> </ticket> </tickets>
</event> </events>"""


def attendee(attendee_id: int, first: str, barcodes: str, **extra: str) -> str:
    more = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    return (f"<attendee><id>{attendee_id}</id><first_name>{first}</first_name>"
            f"<last_name>Müller</last_name><email>{first.lower()}@example.org</email>"
            f"<modified>2026-11-21 10:{attendee_id % 60:02d}:00</modified>"
            f"{barcodes}{more}</attendee>")  # fmt: skip


def attendees_xml(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><attendees>' + "".join(items)
            + "</attendees>").encode()  # fmt: skip


def test_the_seeds_event_list_is_read() -> None:
    (event,) = parse_events(EVENTS)
    assert (event.id, event.title, event.status) == ("908163459", "Best NYC New Year's Party",
                                                     "live")  # fmt: skip


def test_barcodes_in_both_forms_give_one_guest_each() -> None:
    guests = parse_attendees(
        attendees_xml(
            attendee(1, "Plain", "<barcode>EV-5050585-7735471, EV-5050585-7735472</barcode>"),
            attendee(2, "Full", "<barcodes><barcode><id>EV-9-1</id><status>used</status>"
                     "</barcode><barcode><id>EV-9-2</id><status>unused</status></barcode>"
                     "</barcodes>"),
            attendee(3, "Gone", "<barcode>EV-3-1</barcode>", status="Not Attending"),
        )
    )  # fmt: skip
    codes = {obj["accessCode"]: obj for obj, _ in guests}
    assert set(codes) == {"EV-5050585-7735471", "EV-5050585-7735472", "EV-9-1", "EV-9-2",
                          "EV-3-1"}  # fmt: skip
    assert codes["EV-9-1"]["checkInDateTime"] is not None  # used at Eventbrite's door
    assert codes["EV-9-2"]["checkInDateTime"] is None
    assert codes["EV-3-1"]["registrationState"] == "deregistered"
    assert codes["EV-5050585-7735471"]["fields"]["lastName"] == "Müller"


@pytest.mark.parametrize(
    ("xml", "words", "retryable"),
    [
        (b"<error><error_type>Authentication Error</error_type><error_message>"
         b"The user key is invalid</error_message></error>", "Authentication Error", False),
        (b"<attendees><attendee>", "not well-formed", True),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
         b'"&lol;&lol;&lol;&lol;">]><attendees>&lol2;</attendees>', "unsafe", True),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
         b"<attendees>&xxe;</attendees>", "unsafe", True),
    ],
)  # fmt: skip
def test_errors_and_hostile_xml_are_refused_in_words(
    xml: bytes, words: str, retryable: bool
) -> None:
    with pytest.raises(SourceError) as caught:
        parse_attendees(xml)
    assert words in caught.value.message and caught.value.retryable == retryable


def test_a_saved_attendee_list_is_imported_and_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "attendees.xml"
    path.write_bytes(
        attendees_xml(
            attendee(1, "Ann", "<barcode>EV-1-1, EV-1-2</barcode>"),
            attendee(2, "Ben", "<barcode>EV-2-1</barcode>"),
        )
    )
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["import", str(path), "--preview", *data]) == 0
    assert "3 guests would be loaded" in capsys.readouterr().out
    assert doorcheck(["import", str(path), *data]) == 0
    assert doorcheck(["checkin", "EV-1-2", *data]) == 0
    assert doorcheck(["checkin", "EV-1-2", *data]) == 1  # already in
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<attendees><attendee>")
    assert doorcheck(["import", str(bad), *data]) == 1
    assert "not well-formed" in capsys.readouterr().err


def test_a_saved_list_larger_than_the_bound_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Well-formed XML, one attendee, padded past the bound: refused before parsing.
    path = tmp_path / "attendees.xml"
    with path.open("wb") as handle:
        handle.write(b"<attendees>" + attendee(1, "Ann", "<barcode>EV-1-1</barcode>").encode())
        handle.write(b" " * MAX_FILE_BYTES)
        handle.write(b"</attendees>")
    assert doorcheck(["import", str(path), "--data", str(tmp_path / "door")]) == 1
    said = capsys.readouterr().err
    assert "attendees.xml is larger than 64 MB: too big for an attendee list" in said


NOT_FOUND = (
    b"<error><error_type>Not Found</error_type>"
    b"<error_message>No attendees found.</error_message></error>"
)


class FakeLegacy:
    """event_list_attendees as protocols.md §3.2 has it: count/page, modified_after,
    show_full_barcodes; keys in the query; errors as XML documents."""

    def __init__(self) -> None:
        self.items = [attendee(i, f"Gast{i}", f"<barcodes><barcode><id>EV-{i}</id>"
                               "<status>unused</status></barcode></barcodes>")
                      for i in range(1, 121)]  # fmt: skip
        self.calls: list[str] = []

    def app(self) -> Starlette:
        async def attendees(request: Request) -> Response:
            query = request.query_params
            self.calls.append(str(request.url.query))
            if query.get("user_key") != "USER" or query.get("app_key") != "APP":
                return Response(b"<error><error_type>Application Key Error</error_type>"
                                b"<error_message>Invalid key</error_message></error>")  # fmt: skip
            chosen = self.items
            since = query.get("modified_after")
            if since:
                chosen = [a for a in chosen
                          if a.split("<modified>")[1][:19] > since]  # fmt: skip
            count, page = int(query.get("count", 50)), int(query.get("page", 1))
            part = chosen[(page - 1) * count : page * count]
            if not part:
                return Response(NOT_FOUND)
            return Response(attendees_xml(*part), media_type="text/xml")

        return Starlette(routes=[Route("/xml/event_list_attendees", attendees)])


@pytest.fixture
def legacy() -> Iterator[tuple[FakeLegacy, str]]:
    fake = FakeLegacy()
    with serve_app_in_thread(fake.app()) as url:
        yield fake, url


def test_the_api_pages_and_increments(legacy: tuple[FakeLegacy, str], tmp_path: Path) -> None:
    fake, url = legacy
    store = LocalStore.open(tmp_path / "door.sqlite3")
    try:
        sync = SourceSync(store, LegacyConnector(LegacySettings("APP", "USER", "77", url)),
                          remote=True)  # fmt: skip
        assert sync.run_once() is not None and store.status().guests == 120
        assert len(fake.calls) == 3 and all("show_full_barcodes=true" in c for c in fake.calls)
        fake.items.append(attendee(130, "Late", "<barcode>EV-130</barcode>")
                          .replace("10:10:00", "11:59:00"))  # fmt: skip
        fake.calls.clear()
        assert sync.run_once() is not None
        assert all("modified_after=" in c for c in fake.calls)
        door = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
        assert door.scan("EV-130").verdict.kind == VerdictKind.ADMIT
        wrong = SourceSync(store, LegacyConnector(LegacySettings("APP", "nope", "77", url)),
                           remote=True)  # fmt: skip
        assert wrong.run_once() is None
        assert "Application Key Error" in str(wrong.status.last_error or "")
    finally:
        store.close()


def test_the_login_screen_logs_into_the_legacy_api(
    legacy: tuple[FakeLegacy, str], tmp_path: Path, qtbot: QtBot
) -> None:
    from doorcheck.session.login import log_in_and_load
    from doorcheck.store.credentials import load_login
    from doorcheck.ui.login_dialog import LoginDialog

    _, url = legacy
    data = tmp_path / "door"
    dialog = LoginDialog(lambda *values: log_in_and_load(data, *values))
    qtbot.addWidget(dialog)
    dialog.source.setCurrentIndex(dialog.source.findData("eventbrite-legacy"))
    assert dialog.form.isRowVisible(dialog.app_key)  # two keys for this API
    for field, text in ((dialog.server, url), (dialog.event_id, "77"),
                        (dialog.app_code, "USER"), (dialog.app_key, "APP"),
                        (dialog.station, "Main Entrance")):  # fmt: skip
        field.setText(text)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        dialog.submit()
    saved = load_login(data)
    assert saved is not None and saved[1] == "APP\nUSER"
    store = LocalStore.open(next(data.rglob("*.sqlite3")))
    try:
        assert store.status().guests == 120
    finally:
        store.close()
