"""Which guest source a saved login is, and its connector.

A login's ``server`` says it: an http(s) URL is an Invitario-style station (the
station sync with the write extension); ``file:<path>`` a spreadsheet;
``xing:<url>`` (``xing2:`` for the feed's version 2) XING Events, whose API key is
kept like an App Code (keyring, or a user-only file); ``eventbrite:<url>``
Eventbrite, with its token kept the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from doorcheck.connectors.base import Connector
from doorcheck.connectors.eventbrite import POLL_SECONDS as EVENTBRITE_POLL_SECONDS
from doorcheck.connectors.eventbrite import EventbriteConnector, EventbriteSettings
from doorcheck.connectors.eventbrite_legacy import LegacyConnector, LegacySettings, LegacyXmlFile
from doorcheck.connectors.spreadsheet import SpreadsheetConnector
from doorcheck.connectors.xing import POLL_SECONDS, XingConnector, XingSettings
from doorcheck.station.client import StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.credentials import FILE_SOURCE, SavedLogin
from doorcheck.store.local import LocalStore
from doorcheck.sync.health import WorkerHealth
from doorcheck.sync.source_sync import SourceSync
from doorcheck.sync.station_sync import StationSync, SyncReport
from doorcheck.views import SyncStatus

SOURCES = {
    "station": "Invitario-style check-in station",
    "spreadsheet": "spreadsheet (CSV, XLSX)",
    "xing": "XING Events",
    "eventbrite": "Eventbrite",
    "eventbrite-legacy": "Eventbrite (legacy XML API)",
}
XING, XING2 = "xing:", "xing2:"
EVENTBRITE = "eventbrite:"
EVENTBRITE_LEGACY = "eventbrite-legacy:"


def source_of(server: str) -> str:
    if server.startswith(FILE_SOURCE):
        return "spreadsheet"
    if server.startswith((XING, XING2)):
        return "xing"
    if server.startswith(EVENTBRITE):
        return "eventbrite"
    if server.startswith(EVENTBRITE_LEGACY):
        return "eventbrite-legacy"
    return "station"


def is_remote(server: str) -> bool:
    return source_of(server) != "spreadsheet"


def connector_for(login: SavedLogin, secret: str) -> Connector | None:
    """None for a station: it has the full station sync."""
    server = login.server
    if server.startswith(FILE_SOURCE):
        path = Path(server.removeprefix(FILE_SOURCE))
        if path.suffix.lower() == ".xml":  # saved from Eventbrite's legacy API
            return LegacyXmlFile(path)
        return SpreadsheetConnector(path)
    if server.startswith((XING, XING2)):
        version = 2 if server.startswith(XING2) else 1
        url = server.removeprefix(XING2 if version == 2 else XING)
        return XingConnector(XingSettings(url, secret, login.event_id or None, version))
    if server.startswith(EVENTBRITE):
        url = server.removeprefix(EVENTBRITE)
        return EventbriteConnector(EventbriteSettings(secret, login.event_id, url))
    if server.startswith(EVENTBRITE_LEGACY):
        app_key, _, user_key = secret.partition("\n")  # both kept as one secret
        url = server.removeprefix(EVENTBRITE_LEGACY)
        return LegacyConnector(LegacySettings(app_key, user_key, login.event_id, url))
    return None


def poll_seconds(server: str, default: float) -> float:
    """How often to ask the source: XING's feed asks for every 30 s or so; Eventbrite
    allows 2,000 calls an hour."""
    floor = {"xing": POLL_SECONDS, "eventbrite": EVENTBRITE_POLL_SECONDS,
             "eventbrite-legacy": EVENTBRITE_POLL_SECONDS}.get(source_of(server))  # fmt: skip
    return max(default, floor) if floor else default


def door_sync(
    store: LocalStore,
    login: SavedLogin,
    secret: str,
    client: StationClient,
    *,
    interval: float = 3.0,
    on_status: Callable[[SyncStatus], None] | None = None,
    on_health: Callable[[WorkerHealth], None] | None = None,
    on_report: Callable[[SyncReport], None] | None = None,  # a station's rounds only
) -> StationSync | SourceSync:
    """The worker that keeps a door's store in step with its source, the same for
    the window, `doorcheck scan` and `doorcheck sync --watch`: a station gets the
    station sync (uploads and pulls); a source without write-back (a spreadsheet,
    XING, Eventbrite) the follower, which applies this door's check-ins to its own
    copy, so nothing waits for a station server that does not exist."""
    connector = connector_for(login, secret)
    if connector is not None:
        return SourceSync(
            store,
            connector,
            interval=poll_seconds(login.server, interval),
            remote=is_remote(login.server),
            on_status=on_status,
            on_health=on_health,
        )
    return StationSync(
        store,
        client,
        StationChangeWriter(client),
        interval=interval,
        on_status=on_status,
        on_report=on_report,
        on_health=on_health,
    )
