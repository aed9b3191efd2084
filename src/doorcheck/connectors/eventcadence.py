"""Event Cadence's Attendees Data Feed: a destination. After a check-in, and for a
walk-in added at the door, the guest's profile is pushed to the event's API gateway
address (``../shared/seeds/eventcadence-attendees-data-feed.txt``, protocols.md §5).

Either documented payload form: a nested JSON object (``{"profile": {...},
"eventInfo": {"groups": {"groupNames": [...]}}}``) or the flat key-value collection
(``{"profile.firstName": ...}``); the key in the ``Api-Key`` header or the ``key``
field. Email is required: a profile without one is held back, with the reason.
200 is done; 401 is a configuration error (the key); 500 is retried with backoff,
from the same durable queue as everything else a door sends.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from doorcheck.connectors import web
from doorcheck.connectors.base import SourceError
from doorcheck.domain.guest import Guest
from doorcheck.words import mark, phrase

DESTINATION = "eventcadence"


@dataclass(frozen=True)
class CadenceSettings:
    url: str  # the event's API gateway address, from Event Cadence's Customer Success
    key_in: str = "header"  # "header" (Api-Key) or "body" (the key field)
    form: str = "nested"  # "nested" or "flat"
    groups: list[str] = field(default_factory=list)  # e.g. the station's name

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CadenceSettings:
        data = json.loads(text)
        return cls(
            str(data["url"]),
            str(data.get("key_in", "header")),
            str(data.get("form", "nested")),
            [str(g) for g in data.get("groups") or []],
        )


class MissingEmailError(ValueError):
    """Event Cadence requires an email; this guest has none."""


def profile(guest: Guest, groups: list[str]) -> dict[str, Any]:
    """The nested form. Omitted fields stay unchanged at Event Cadence, so only what
    the door knows is sent."""
    email = guest.field_text("email")
    if not email:
        raise MissingEmailError(
            f"{guest.display_name} has no email address; Event Cadence needs one"
        )
    person: dict[str, Any] = {"thirdPartyId": guest.id, "email": email}
    for ours, theirs in (("titlePrefix", "prefix"), ("firstName", "firstName"),
                         ("lastName", "lastName"), ("company", "company"),
                         ("phone", "phone"), ("title", "title")):  # fmt: skip
        if guest.field_text(ours):
            person[theirs] = guest.field_text(ours)
    payload: dict[str, Any] = {"profile": person}
    if groups:
        payload["eventInfo"] = {"groups": {"groupNames": list(groups)}}
    return payload


def flat(payload: dict[str, Any]) -> dict[str, Any]:
    """The plain key-value form of a nested payload: ``profile.firstName`` and so on."""
    result: dict[str, Any] = {}
    for key, value in payload["profile"].items():
        result[f"profile.{key}"] = value
    groups = payload.get("eventInfo", {}).get("groups", {}).get("groupNames")
    if groups:
        result["eventInfo.groups.groupNames"] = groups
    return result


class CadencePusher:
    def __init__(
        self,
        settings: CadenceSettings,
        key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.settings = settings
        self._key = key
        headers = {"Api-Key": key} if settings.key_in == "header" else {}
        self._http = web.client(
            settings.url, key, timeout=timeout, transport=transport, headers=headers
        )

    def close(self) -> None:
        self._http.close()

    def push(self, payload: dict[str, Any]) -> None:
        body = flat(payload) if self.settings.form == "flat" else dict(payload)
        if self.settings.key_in == "body":
            body["key"] = self._key
        with web.reaching("Event Cadence", forwarding=True):
            response = self._http.post(self.settings.url, json=body)  # exactly as given
        if response.status_code == 200:
            return
        detail = response.text.strip()[:200]
        if response.status_code == 401:
            raise SourceError(
                phrase(
                    "Event Cadence refused the API key: check it in the forwarding settings "
                    "({detail})",
                    detail=detail,
                )
                if detail
                else mark("Event Cadence refused the API key: check it in the forwarding settings"),
                retryable=False,
            )
        status = response.status_code
        raise SourceError(
            phrase("Event Cadence answered HTTP {status}: {detail}; we retry", status=status,
                   detail=detail)
            if detail
            else phrase("Event Cadence answered HTTP {status}; we retry", status=status),
            retryable=status >= 500 or status == 429,
        )  # fmt: skip
