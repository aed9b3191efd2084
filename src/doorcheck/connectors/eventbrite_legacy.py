"""Eventbrite's legacy XML API (before v3), and attendee lists saved from it.

``user_list_events`` (the seed ``../shared/seeds/eventbrite-legacy-user-list-events.txt``)
lists a user's events; ``event_list_attendees`` (protocols.md §3.2) lists an event's
attendees, 50 a page by default, ``modified_after`` for increments, and with
``show_full_barcodes=true`` each barcode as an element with its own status; without
it ``barcode`` is a comma-separated string ("EV-5050585-7735471, EV-...-7735472").
An attendee with several barcodes (a quantity above one) is several guests at the
door, one per barcode. Errors come as an ``<error>`` document.

XML from the network or a file is parsed with defusedxml: entity expansion and
external entities are refused, so a hostile file cannot exhaust memory or read
local files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from doorcheck.connectors import web
from doorcheck.connectors.base import Capability, SourceError
from doorcheck.logs import register_secret
from doorcheck.protocol.liststream import WireGuest
from doorcheck.words import phrase

DEFAULT_URL = "https://www.eventbrite.com"
PAGE = 50
EPOCH = "1970-01-01 00:00:00"
# A saved attendee list is parsed whole, at about five times its size in memory;
# 64 MB holds some 40,000 attendees, more than the legacy API's events had.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LegacyEvent:
    id: str
    title: str
    start: str
    status: str


def parse(xml: bytes) -> Element:
    """The document's root; an ``<error>`` document, or anything that is not safe
    and well-formed XML, becomes a SourceError in words."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SourceError(
            phrase("The XML was refused as unsafe ({why})", why=type(exc).__name__)
        ) from exc
    except ParseError as exc:
        raise SourceError(phrase("The answer is not well-formed XML: {why}", why=exc)) from exc
    if root.tag == "error":
        kind = (root.findtext("error_type") or "Error").strip()
        text = (root.findtext("error_message") or "").strip()
        retryable = kind not in ("Application Key Error", "Authentication Error")
        raise SourceError(
            phrase("Eventbrite: {kind}: {text}", kind=kind, text=text)
            if text
            else phrase("Eventbrite: {kind}", kind=kind),
            retryable=retryable,
        )
    return root


def parse_events(xml: bytes) -> list[LegacyEvent]:
    root = parse(xml)
    return [
        LegacyEvent(
            (event.findtext("id") or "").strip(),
            (event.findtext("title") or "").strip(),
            (event.findtext("start_date") or "").strip(),
            (event.findtext("status") or "").strip(),
        )
        for event in root.iter("event")
    ]


def parse_attendees(xml: bytes) -> list[WireGuest]:
    root = parse(xml)
    guests: list[WireGuest] = []
    for attendee in root.iter("attendee"):
        guests += [web.wire(obj) for obj in guests_of(attendee)]
    return guests


def _text(element: Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _barcodes(attendee: Element) -> list[tuple[str, str]]:
    """(code, status) pairs, from full barcode elements or the plain list."""
    full = attendee.find("barcodes")
    if full is not None:
        found = []
        for barcode in full.iter("barcode"):
            code = (barcode.findtext("id") or barcode.findtext("barcode") or "").strip()
            if not code and len(barcode) == 0:
                code = (barcode.text or "").strip()
            if code:
                found.append((code, (barcode.findtext("status") or "").strip().lower()))
        return found
    plain = _text(attendee, "barcode")
    return [(code.strip(), "") for code in plain.split(",") if code.strip()]


def guests_of(attendee: Element) -> list[dict[str, Any]]:
    """One guest per barcode (a quantity of three is three people at the door)."""
    attendee_id = _text(attendee, "id")
    fields = {
        name: _text(attendee, tag)
        for name, tag in (
            ("titlePrefix", "prefix"),
            ("firstName", "first_name"),
            ("lastName", "last_name"),
            ("email", "email"),
            ("company", "company"),
            ("notes", "notes"),
        )
        if _text(attendee, tag)
    }
    status = _text(attendee, "status").lower()
    gone = status in ("not attending", "not_attending", "cancelled", "refunded", "deleted")
    modified = web.iso_time(_text(attendee, "modified").replace(" ", "T"))
    codes = _barcodes(attendee) or [("", "")]
    guests: list[dict[str, Any]] = []
    for number, (code, barcode_status) in enumerate(codes, start=1):
        used = barcode_status in ("used", "checked_in", "checked in")
        guests.append(
            {
                "id": f"ebl-{attendee_id}-{number}",
                "parentId": None,
                "accessCode": code or None,
                "registrationState": "deregistered" if gone else "registered",
                "checkInDateTime": modified if used else None,
                "checkOutDateTime": None,
                "deleteDateTime": None,
                "fields": dict(fields),
                "companions": [],
            }
        )
    return guests


class LegacyXmlFile:
    """An attendee list saved from the legacy API, as a guest source (read only)."""

    name = "eventbrite-xml"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.capabilities = frozenset({Capability.READ})

    def full_load(self) -> Iterator[Sequence[WireGuest]]:
        try:
            with self.path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)  # never more, whatever the file says
        except OSError as exc:
            raise SourceError(
                phrase("cannot open {path}: {why}", path=self.path, why=exc.strerror)
            ) from exc
        if len(data) > MAX_FILE_BYTES:
            raise SourceError(
                phrase(
                    "{path} is larger than {limit} MB: too big for an attendee list",
                    path=self.path.name, limit=MAX_FILE_BYTES // (1024 * 1024),
                )
            )  # fmt: skip
        yield parse_attendees(data)

    def cursor(self) -> str:
        import hashlib

        with self.path.open("rb") as handle:  # in chunks: the file may be large
            return "file:" + hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class LegacySettings:
    app_key: str
    user_key: str
    event_id: str
    url: str = DEFAULT_URL


class LegacyConnector(web.WebConnector):
    """The legacy API over HTTP: every page, then ``modified_after`` increments."""

    name = "eventbrite-legacy"

    def __init__(
        self,
        settings: LegacySettings,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.settings = settings
        super().__init__(settings.url, settings.user_key, timeout=timeout, transport=transport)
        register_secret(settings.app_key)  # both keys travel in the query string
        self._latest: str | None = None  # the newest "modified" seen (Eventbrite's clock)

    def events(self) -> list[LegacyEvent]:
        return parse_events(self._get("/xml/user_list_events", {}))

    def full_load(self) -> Iterator[Sequence[WireGuest]]:
        yield from self._pages({"status": "all"})
        self._cursor = self._latest or EPOCH

    def changes(self, cursor: str) -> tuple[list[WireGuest], str]:
        found = [g for page in self._pages({"status": "all", "modified_after": cursor})
                 for g in page]  # fmt: skip
        self._cursor = max(cursor, self._latest or cursor)
        return found, self._cursor

    def _pages(self, params: dict[str, str]) -> Iterator[list[WireGuest]]:
        page = 1
        while True:
            query = {**params, "id": self.settings.event_id, "count": str(PAGE),
                     "page": str(page), "show_full_barcodes": "true"}  # fmt: skip
            try:
                root = parse(self._get("/xml/event_list_attendees", query))
            except SourceError as exc:
                if "Not Found" in exc.message and page > 1:
                    return  # past the last page
                if "Not Found" in exc.message:
                    yield []  # no attendees (yet)
                    return
                raise
            attendees = list(root.iter("attendee"))
            for attendee in attendees:
                modified = _text(attendee, "modified")
                if modified and (self._latest is None or modified > self._latest):
                    self._latest = modified
            yield [web.wire(obj) for a in attendees for obj in guests_of(a)]
            if len(attendees) < PAGE:
                return
            page += 1

    def _get(self, path: str, params: dict[str, str]) -> bytes:
        query = {"app_key": self.settings.app_key, "user_key": self.settings.user_key, **params}
        with web.reaching("Eventbrite"):
            response = self._http.get(path, params=query)
        if response.status_code >= 500:
            raise SourceError(
                phrase(
                    "{source} has a problem (HTTP {status}); we retry",
                    source="Eventbrite",
                    status=response.status_code,
                )
            )
        return response.content
