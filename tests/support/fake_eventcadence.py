"""A fake Event Cadence API gateway (Attendees Data Feed), written from its
documentation (../shared/seeds/eventcadence-attendees-data-feed.txt): one address
per event, the key in the Api-Key header or the payload's key field, nested or
flat payloads, email required; 200, 401, 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

KEY = "cadence-key-7f3a9"
GATEWAY = "/gateway/evt-123"


@dataclass
class FakeCadence:
    received: list[dict[str, Any]] = field(default_factory=list)  # profiles, normalised
    faults: list[int] = field(default_factory=list)  # statuses to answer next
    key_places: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def gateway(request: Request) -> Response:
            body = await request.json()
            if self.faults:
                return JSONResponse({"error": "temporarily unavailable"}, self.faults.pop(0))
            if request.headers.get("api-key") == KEY:
                self.key_places.append("header")
            elif body.get("key") == KEY:
                self.key_places.append("body")
            else:
                return JSONResponse({"error": "Invalid API key"}, 401)
            person = body.get("profile")
            if person is None:  # the flat form
                person = {k.removeprefix("profile."): v for k, v in body.items()
                          if k.startswith("profile.")}  # fmt: skip
                groups = body.get("eventInfo.groups.groupNames") or []
            else:
                groups = ((body.get("eventInfo") or {}).get("groups") or {}).get("groupNames") or []
            if not person.get("email"):
                return JSONResponse({"error": "email is required"}, 500)
            self.received.append({**person, "groups": groups})
            return JSONResponse({"status": "accepted"})

        return Starlette(routes=[Route(GATEWAY, gateway, methods=["POST"])])
