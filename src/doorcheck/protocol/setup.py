"""A station's setup code: its login details in a QR code, printed by the admin tools
and scanned by the kiosk's login screen."""

from __future__ import annotations

import json
from dataclasses import dataclass

SETUP_SCHEME = "doorcheck-station"


@dataclass(frozen=True)
class StationSetup:
    url: str
    event_id: str
    app_code: str
    station_name: str


def setup_payload(url: str, event_id: str, app_code: str, station_name: str) -> str:
    return json.dumps(
        {"type": SETUP_SCHEME, "version": 1, "url": url, "eventId": event_id,
         "apiKey": app_code, "stationName": station_name},
        separators=(",", ":"),
    )  # fmt: skip


def parse_setup(text: str) -> StationSetup | None:
    """The login details in a scanned setup code, or None if it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("type") != SETUP_SCHEME:
        return None
    fields = [data.get(key) for key in ("url", "eventId", "apiKey", "stationName")]
    if not all(isinstance(value, str) and value for value in fields):
        return None
    return StationSetup(*fields)  # type: ignore[arg-type]
