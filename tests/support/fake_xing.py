"""A fake XING Events API, written from its documentation
(../shared/seeds/xing-events-data-sync-v1.txt, protocols.md §4), served over real
HTTP on loopback for the connector's tests.

The sync feed keeps a growing list of sync events with gaps in their ids (as the
documentation says it does, on purpose); ``resync`` appends a "resync" event for
every reachable ticket and answers where they start. Faults can be injected for the
next requests: ``500`` and ``garbage`` (not JSON) here, and a connection cut halfway
through an answer with tests.support.Faults around the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

API_KEY = "k" * 50  # "a 50-char key"


@dataclass
class SyncEvent:
    id: int
    operation: str
    object_type: str
    object_id: int
    returned: str = ""
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        returned = self.returned or self.object_type
        return {
            "id": self.id,
            "operation": self.operation,
            "objectType": self.object_type,
            "objectId": self.object_id,
            "returnedObjectType": returned,
            "path": self.path or f"/api/{self.object_type}/{self.object_id}",
        }


@dataclass
class FakeXing:
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[SyncEvent] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    registered_v2: bool = False
    calls: list[str] = field(default_factory=list)
    forgotten_below: int = 0  # sync ids below this are no longer known
    next_event: int = 10  # the id the next sync event gets

    def _append(self, operation: str, object_type: str, object_id: int, **extra: str) -> None:
        self.events.append(SyncEvent(self.next_event, operation, object_type, object_id,
                                     **extra))  # fmt: skip
        self.next_event += 3  # "There are gaps in the IDs. This is intended."

    def add_ticket(self, ticket_id: int, identifier: str, first: str, last: str,
                   **extra: Any) -> None:  # fmt: skip
        operation = "update" if ticket_id in self.tickets else "create"
        self.tickets[ticket_id] = {
            "id": ticket_id, "identifier": identifier, "displayIdentifier": identifier[-6:],
            "firstName": first, "lastName": last, "email": f"{first.lower()}@example.org",
            "company": "ACME", "cancelled": None, "checked": False, "lastChecked": None,
            "eventId": 777, **extra,
        }  # fmt: skip
        self._append(operation, "ticket", ticket_id)

    def delete_ticket(self, ticket_id: int) -> None:
        del self.tickets[ticket_id]
        self._append("delete", "ticket", ticket_id)

    def other_object(self) -> None:
        self._append("update", "user", 342)
        self._append("update", "user", 342, returned="address", path="/api/user/342/address")

    # -- the HTTP side ----------------------------------------------------------------

    def app(self) -> Starlette:
        async def dispatch(request: Request) -> Response:
            self.calls.append(f"{request.method} {request.url.path}?{request.url.query}")
            if self.faults:
                fault = self.faults.pop(0)
                if fault == "500":
                    return PlainTextResponse("Internal Server Error", status_code=500)
                if fault == "garbage":
                    return PlainTextResponse("<html>not json", status_code=200)
            if request.query_params.get("apikey") != API_KEY:
                return JSONResponse(
                    {"success": False, "errors": ["com.amiando.api.rest.InvalidApiKey"]},
                    status_code=403,
                )
            return self._answer(request)

        return Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST"])])

    def _answer(self, request: Request) -> Response:
        path = request.url.path
        parts = path.strip("/").split("/")
        if path == "/api/sync/resync" and request.method == "POST":
            start = self.next_event
            for ticket_id in sorted(self.tickets):
                self._append("resync", "ticket", ticket_id)
            return JSONResponse({"nextId": start, "success": True})
        if path == "/v2/sync/register" and request.method == "POST":
            self.registered_v2 = True
            return JSONResponse({"success": True})
        if parts[:2] in (["api", "sync"], ["v2", "sync"]) and len(parts) == 3:
            if parts[0] == "v2" and not self.registered_v2:
                return JSONResponse({"success": False, "errors": ["not registered"]}, 400)
            return self._feed(int(parts[2]), int(request.query_params.get("maxResults", 50)))
        if parts[:2] == ["api", "ticket"] and len(parts) == 3:
            ticket = self.tickets.get(int(parts[2]))
            if ticket is None:
                return JSONResponse({"success": False, "errors": ["NotFound"]}, 404)
            return JSONResponse({"ticket": ticket, "success": True})
        return JSONResponse({"success": False, "errors": ["UnknownPath"]}, 404)

    def _feed(self, since: int, limit: int) -> Response:
        if since < self.forgotten_below:
            return JSONResponse({"success": False, "errors": ["InvalidSyncId"]}, 400)
        limit = min(limit, 200)  # "Maximum: 200"
        due = [e for e in self.events if e.id >= since][:limit]
        following = due[-1].id + 1 if due else since
        return JSONResponse(
            {"events": [e.to_json() for e in due], "nextId": following, "success": True}
        )
