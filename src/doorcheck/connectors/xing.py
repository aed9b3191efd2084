"""XING Events (formerly amiando) as a guest source, through its data sync feed.

The feed (``../shared/seeds/xing-events-data-sync-v1.txt``, protocols.md §4) is a
cursor: ``GET /api/sync/<id>`` answers the sync events since ``id`` and the
``nextId`` to ask with next time (the same id again when nothing changed; ids have
gaps on purpose). ``POST /api/sync/resync`` replays every reachable object as a
``resync`` event, for a first load or a lost cursor. Version 2 lives at
``/v2/sync/<lastId>`` after a one-time ``POST /v2/sync/register``; it has no resync,
so a first v2 load reads the feed from the start.

Each event names an object (``objectType``: user, event, ticket, payment) and the
``path`` to load it from. Tickets are the guests: ``identifier`` is the barcode,
``checked``/``lastChecked`` say whether XING's own check-in saw it, ``cancelled``
(a date) makes it invalid. A deleted ticket is marked deleted at the door.
XING documents no check-in write: check-ins stay at the door and are exported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from doorcheck.connectors import web
from doorcheck.connectors.base import CursorLostError, SourceError
from doorcheck.protocol.liststream import WireGuest
from doorcheck.words import mark, phrase

MAX_RESULTS = 200  # the feed's documented maximum per call
POLL_SECONDS = 30.0  # "written to be called quite often, for example, every 30 seconds"


@dataclass(frozen=True)
class XingSettings:
    url: str  # e.g. https://api.xing-events.com
    api_key: str
    event_id: str | None = None  # only tickets of this event (when tickets name one)
    version: int = 1


class XingConnector(web.WebConnector):
    name = "xing"

    def __init__(
        self,
        settings: XingSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.settings = settings
        # The key travels in the query string, as XING requires: web.client masks it.
        super().__init__(settings.url, settings.api_key, timeout=timeout, transport=transport)

    # -- the Connector interface ----------------------------------------------------

    def full_load(self) -> Iterator[Sequence[WireGuest]]:
        """Every reachable ticket: a resync (v1) or the feed from its start (v2)."""
        if self.settings.version == 2:
            self._call("POST", "/v2/sync/register")
            start = "0"
        else:
            answer = self._call("POST", "/api/sync/resync")
            start = str(answer.get("nextId", "0"))
        guests: dict[str, WireGuest] = {}
        cursor = start
        while True:
            batch, following = self._page(cursor)
            for guest in batch:
                guests[str(guest[0]["id"])] = guest
            if following == cursor:  # the same id back: nothing more for now
                break
            cursor = following
        self._cursor = cursor
        yield [g for g in guests.values() if g[0].get("deleteDateTime") is None]

    def changes(self, cursor: str) -> tuple[list[WireGuest], str]:
        """Everything since ``cursor``, following ``nextId`` until it stands still."""
        found: dict[str, WireGuest] = {}
        while True:
            batch, following = self._page(cursor)
            for guest in batch:
                found[str(guest[0]["id"])] = guest
            if following == cursor:
                self._cursor = cursor
                return list(found.values()), cursor
            cursor = following

    # -- the feed -----------------------------------------------------------------

    def _page(self, cursor: str) -> tuple[list[WireGuest], str]:
        prefix = "/v2/sync" if self.settings.version == 2 else "/api/sync"
        answer = self._call("GET", f"{prefix}/{cursor}", {"maxResults": str(MAX_RESULTS)})
        events = answer.get("events")
        following = answer.get("nextId")
        if not isinstance(events, list) or following is None:
            raise SourceError(mark("XING Events sent a sync answer without events or nextId"))
        guests = []
        for event in events:
            guest = self._guest_of(event)
            if guest is not None:
                guests.append(guest)
        return guests, str(following)

    def _guest_of(self, event: Any) -> WireGuest | None:
        if not isinstance(event, dict) or event.get("objectType") != "ticket":
            return None  # users, events and payments are not guests
        if event.get("returnedObjectType", "ticket") != "ticket":
            return None  # a part of a ticket (an address): the ticket's own event follows
        ticket_id = str(event.get("objectId", ""))
        if not ticket_id:
            return None
        if event.get("operation") == "delete":
            return web.wire(_deleted(ticket_id))
        path = str(event.get("path") or f"/api/ticket/{ticket_id}")
        answer = self._call("GET", path, {"version": "1", "format": "json"})
        ticket = answer.get("ticket")
        if not isinstance(ticket, dict):
            raise SourceError(phrase("XING Events sent no ticket for {path}", path=path))
        wanted = self.settings.event_id
        if wanted and ticket.get("eventId") is not None and str(ticket["eventId"]) != wanted:
            return None
        return web.wire(guest_from_ticket(ticket))

    def _call(self, method: str, path: str, params: dict[str, str] | None = None) -> Any:
        query = {"apikey": self.settings.api_key, **(params or {})}
        response, answer = web.request_json(self._http, "XING Events", method, path, query)
        if answer.get("success") is False or response.status_code >= 400:
            errors = answer.get("errors") or []
            text = ", ".join(str(e) for e in errors) if isinstance(errors, list) else str(errors)
            if response.status_code in (401, 403) or "apikey" in text.lower():
                raise SourceError(
                    phrase(
                        "XING Events refused the API key ({why})",
                        why=text or response.status_code,
                    ),
                    retryable=False,
                )
            if "sync" in path and ("id" in text.lower() or response.status_code == 404):
                raise CursorLostError(
                    phrase("XING Events no longer knows sync id ({why})", why=text)
                )
            raise SourceError(
                phrase(
                    "XING Events answered with an error: {why}", why=text or response.status_code
                )
            )
        return answer


def guest_from_ticket(ticket: dict[str, Any]) -> dict[str, Any]:
    """A XING ticket in the station's wire form."""
    checked = bool(ticket.get("checked"))
    fields = {
        key: str(ticket[key]).strip()
        for key in ("firstName", "lastName", "email", "company")
        if ticket.get(key)
    }
    return {
        "id": f"xing-{ticket.get('id')}",
        "parentId": None,
        "accessCode": str(ticket.get("identifier") or "") or None,
        "registrationState": "deregistered" if ticket.get("cancelled") else "registered",
        "checkInDateTime": web.iso_time(ticket.get("lastChecked")) if checked else None,
        "checkOutDateTime": None,
        "deleteDateTime": None,
        "fields": fields,
        "companions": [],
    }


def _deleted(ticket_id: str) -> dict[str, Any]:
    return {
        "id": f"xing-{ticket_id}",
        "deleteDateTime": datetime.now(UTC).isoformat(),
        "registrationState": "unknown",
        "fields": {},
        "companions": [],
    }
