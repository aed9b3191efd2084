"""A fake Eventbrite API v3, written from its documentation (the seed
../shared/seeds/eventbrite-v3-events.txt and protocols.md §3.1), over real HTTP:
Bearer tokens, pages of 50 with opaque continuation tokens, changed_since, the
organization's events, the documented error envelope, and a rate limit."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN = "PRIVATE-TOKEN-0123456789"
EVENT = "4711"
ORGANIZATION = "99"
PAGE = 50


def error(code: str, status: int, text: str = "") -> JSONResponse:
    return JSONResponse(
        {"error": code, "error_description": text or code, "status_code": status}, status
    )


@dataclass
class FakeEventbrite:
    attendees: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    clock: int = 0  # minutes after 2026-11-21T10:00Z: each change moves it on

    def stamp(self) -> str:
        self.clock += 1
        return f"2026-11-21T{10 + self.clock // 60:02d}:{self.clock % 60:02d}:00Z"

    def add(self, attendee_id: str, first: str, last: str, **extra: Any) -> dict[str, Any]:
        changed = self.stamp()
        attendee = {
            "id": attendee_id, "created": changed, "changed": changed, "event_id": EVENT,
            "order_id": f"9{attendee_id}", "ticket_class_name": "General Admission",
            "quantity": 1,
            "profile": {"first_name": first, "last_name": last,
                        "email": f"{first.lower()}@example.org", "name": f"{first} {last}"},
            "barcodes": [{"barcode": f"9{attendee_id}{attendee_id}001", "status": "unused",
                          "changed": changed}],
            "answers": [], "checked_in": False, "cancelled": False, "refunded": False,
            "status": "Attending",
        }  # fmt: skip
        attendee.update(extra)
        self.attendees[attendee_id] = attendee
        return attendee

    def change(self, attendee_id: str, **values: Any) -> None:
        attendee = self.attendees[attendee_id]
        attendee.update(values)
        attendee["changed"] = self.stamp()

    def app(self) -> Starlette:
        async def dispatch(request: Request) -> Response:
            self.calls.append(f"{request.url.path}?{request.url.query}")
            if self.faults:
                fault = self.faults.pop(0)
                if fault == "rate":
                    limited = error("HIT_RATE_LIMIT", 429, "Hourly rate limit has been reached")
                    limited.headers["Retry-After"] = "120"
                    return limited
                if fault == "garbage":
                    return PlainTextResponse('{"attendees": [', status_code=200)
                if fault == "500":
                    return error("INTERNAL_ERROR", 500)
            auth = request.headers.get("authorization", "")
            token = request.query_params.get("token") or auth.removeprefix("Bearer ")
            if not token:
                return error("NO_AUTH", 401)
            if token != TOKEN:
                return error("INVALID_AUTH", 401, "The OAuth token you provided was invalid.")
            return self._answer(request)

        return Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET"])])

    def _answer(self, request: Request) -> Response:
        parts = request.url.path.strip("/").split("/")
        query = request.query_params
        if parts[:2] == ["v3", "events"] and len(parts) == 4 and parts[3] == "attendees":
            if parts[2] != EVENT:
                return error("NOT_FOUND", 404, "The event you requested does not exist.")
            chosen = list(self.attendees.values())
            since = query.get("changed_since")
            if since:
                chosen = [a for a in chosen if a["changed"] >= since]
            return self._page(chosen, "attendees", query.get("continuation"))
        if parts[:2] == ["v3", "organizations"] and len(parts) == 4 and parts[3] == "events":
            if parts[2] != ORGANIZATION:
                return error("NOT_AUTHORIZED", 403)
            return self._page(self.events, "events", query.get("continuation"))
        return error("NOT_FOUND", 404)

    def _page(self, items: list[dict[str, Any]], key: str, token: str | None) -> Response:
        try:
            start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        except ValueError:
            return error("BAD_CONTINUATION_TOKEN", 400)
        chunk = items[start : start + PAGE]
        more = start + PAGE < len(items)
        pagination: dict[str, Any] = {
            "object_count": len(items), "page_number": start // PAGE + 1, "page_size": PAGE,
            "page_count": max(1, -(-len(items) // PAGE)), "has_more_items": more,
        }  # fmt: skip
        if more:
            pagination["continuation"] = base64.urlsafe_b64encode(
                str(start + PAGE).encode()
            ).decode()
        return JSONResponse({"pagination": pagination, key: chunk})
