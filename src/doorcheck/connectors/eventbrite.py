"""Eventbrite (API v3) as a guest source: an organization's events to pick from,
then the chosen event's attendees, in full and then by ``changed_since``.

From the seed (``../shared/seeds/eventbrite-v3-events.txt``) and protocols.md §3.1:
a Bearer token; lists paged by ``continuation`` while ``has_more_items``; an
attendee's ``barcodes[].barcode`` is what the ticket shows (not its ``id``);
``checked_in``, ``cancelled``, ``refunded`` and ``status`` map onto verdicts;
2,000 calls an hour per token, answered with 429 and ``HIT_RATE_LIMIT`` beyond.
Eventbrite documents no check-in write: check-ins stay at the door and are exported.
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
from doorcheck.words import Phrase, mark, phrase

DEFAULT_URL = "https://www.eventbriteapi.com"
POLL_SECONDS = 60.0  # a page a minute stays far below 2,000 calls an hour
HOURLY_LIMIT = 2000

# The documented error codes, in words for the steward; (message, worth retrying).
ERRORS: dict[str, tuple[str | Phrase, bool]] = {
    "INVALID_AUTH": (mark("Eventbrite refused the token. Check it in the login."), False),
    "NO_AUTH": (mark("Eventbrite needs a token. Add it to the login."), False),
    "NOT_AUTHORIZED": (mark("This token may not read that event's attendees."), False),
    "NOT_FOUND": (mark("Eventbrite does not know that event. Check the event ID."), False),
    "HIT_RATE_LIMIT": (
        phrase(
            "Eventbrite's limit of {limit} calls an hour is reached; "
            "the door works on and asks again later.",
            limit=HOURLY_LIMIT,
        ),
        True,
    ),
    "INTERNAL_ERROR": (mark("Eventbrite has a problem; we retry."), True),
    "BAD_PAGE": (mark("Eventbrite refused a page number; the list is read again."), True),
}


@dataclass(frozen=True)
class EventbriteSettings:
    token: str
    event_id: str
    url: str = DEFAULT_URL


@dataclass(frozen=True)
class EventSummary:
    id: str
    name: str
    start: str
    status: str


class EventbriteConnector(web.WebConnector):
    name = "eventbrite"

    def __init__(
        self,
        settings: EventbriteSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.settings = settings
        super().__init__(
            settings.url,
            settings.token,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {settings.token}"},
        )

    # -- picking the event --------------------------------------------------------

    def events(self, organization_id: str) -> list[EventSummary]:
        """The organization's live and upcoming events, soonest first."""
        params = {"status": "live,started", "time_filter": "current_future",
                  "order_by": "start_asc", "page_size": "50"}  # fmt: skip
        found = []
        for page in self._pages(f"/v3/organizations/{organization_id}/events/", params):
            for event in page.get("events") or []:
                name = event.get("name")
                found.append(
                    EventSummary(
                        str(event.get("id")),
                        str(name.get("text") if isinstance(name, dict) else name or ""),
                        str((event.get("start") or {}).get("utc") or ""),
                        str(event.get("status") or ""),
                    )
                )
        return found

    # -- the Connector interface ----------------------------------------------------

    def full_load(self) -> Iterator[Sequence[WireGuest]]:
        latest = EPOCH
        for page in self._pages(self._attendees_path(), {}):
            attendees = page.get("attendees") or []
            latest = max([latest, *(_changed(a) for a in attendees)])
            yield [web.wire(guest_from_attendee(a)) for a in attendees]
        self._cursor = latest

    def changes(self, cursor: str) -> tuple[list[WireGuest], str]:
        """Attendees changed since ``cursor``: the latest ``changed`` time Eventbrite
        itself reported (its clock, never the laptop's). The boundary is asked for
        again each time: a second copy of an attendee is harmless, a missed one not."""
        latest = cursor
        found = []
        for page in self._pages(self._attendees_path(), {"changed_since": cursor}):
            attendees = page.get("attendees") or []
            latest = max([latest, *(_changed(a) for a in attendees)])
            found += [web.wire(guest_from_attendee(a)) for a in attendees]
        self._cursor = latest
        return found, latest

    # -- HTTP ---------------------------------------------------------------------

    def _attendees_path(self) -> str:
        return f"/v3/events/{self.settings.event_id}/attendees/"

    def _pages(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        query = dict(params)
        while True:
            page = self._get(path, query)
            yield page
            pagination = page.get("pagination") or {}
            if not pagination.get("has_more_items"):
                return
            token = pagination.get("continuation")
            if not token:
                raise SourceError(mark("Eventbrite said there is more but gave no continuation"))
            query = {**params, "continuation": str(token)}

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        response, answer = web.request_json(self._http, "Eventbrite", "GET", path, params)
        if response.status_code >= 400 or "error" in answer:
            code = str(answer.get("error") or "")
            if code == "BAD_CONTINUATION_TOKEN":
                raise CursorLostError(mark("Eventbrite no longer takes our page token; reloading"))
            detail = str(answer.get("error_description") or "").strip()
            answered = code or response.status_code
            message, retryable = ERRORS.get(
                code,
                (
                    phrase("Eventbrite answered {code}: {detail}", code=answered, detail=detail)
                    if detail
                    else phrase("Eventbrite answered {code}", code=answered),
                    response.status_code >= 500,
                ),
            )
            wait = None
            if response.status_code == 429 or code == "HIT_RATE_LIMIT":
                message, retryable = ERRORS["HIT_RATE_LIMIT"]
                wait = _retry_after(response.headers.get("Retry-After"))
            raise SourceError(message, retryable=retryable, retry_after=wait)
        return answer


def guest_from_attendee(attendee: dict[str, Any]) -> dict[str, Any]:
    """An Eventbrite attendee (one per ticket) in the station's wire form."""
    profile = attendee.get("profile") or {}
    barcodes = [b for b in attendee.get("barcodes") or [] if isinstance(b, dict)]
    code = str(barcodes[0].get("barcode") or "") if barcodes else ""
    gone = bool(attendee.get("cancelled") or attendee.get("refunded")) or str(
        attendee.get("status") or ""
    ).lower() in ("not attending", "deleted", "cancelled", "refunded")
    checked_in = bool(attendee.get("checked_in"))
    when = None
    if checked_in:
        when = web.iso_time(
            (barcodes[0].get("changed") if barcodes else None) or attendee.get("changed")
        )
    fields = {
        name: str(profile[key]).strip()
        for name, key in (
            ("firstName", "first_name"),
            ("lastName", "last_name"),
            ("email", "email"),
            ("company", "company"),
        )
        if profile.get(key)
    }
    ticket_class = attendee.get("ticket_class_name")
    if ticket_class:
        fields["notes"] = str(ticket_class)
    return {
        "id": f"eb-{attendee.get('id')}",
        "parentId": None,
        "accessCode": code or None,
        "registrationState": "deregistered" if gone else "registered",
        "checkInDateTime": when,
        "checkOutDateTime": None,
        "deleteDateTime": None,
        "serverUpdateDateTime": web.iso_time(attendee.get("changed")),
        "fields": fields,
        "companions": [],
    }


EPOCH = "1970-01-01T00:00:00Z"
RATE_LIMIT_PAUSE = 600.0  # without a Retry-After: ten minutes, a sixth of the hour's budget


def _retry_after(header: str | None) -> float:
    """Seconds from a Retry-After header (a number; dates are not used here)."""
    try:
        return max(1.0, float(header)) if header else RATE_LIMIT_PAUSE
    except ValueError:
        return RATE_LIMIT_PAUSE


def _changed(attendee: dict[str, Any]) -> str:
    """An attendee's ``changed`` in the form ``changed_since`` takes (UTC, ``Z``)."""
    parsed = web.iso_time(attendee.get("changed"))
    if parsed is None:
        return EPOCH
    return datetime.fromisoformat(parsed).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
