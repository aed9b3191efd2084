"""Logging a door in: to a station, to another guest source, or to a list file.

What the login screen and `doorcheck login` / `doorcheck import` both call. Each
use case saves the login (the secret in the keyring or a user-only file), fetches
or loads the guest list where there is one, and returns what it did as data.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from doorcheck.connectors.base import Connector, SourceError
from doorcheck.domain.verdict import Mode
from doorcheck.paths import safe_name, store_path
from doorcheck.session.door import encrypt_door, open_door, open_store
from doorcheck.session.errors import DoorError, Problem
from doorcheck.session.results import GivenLogin
from doorcheck.store.credentials import (
    FILE_SOURCE,
    load_login,
    private_dir,
    save_login,
    save_session_token,
)
from doorcheck.sync.guest_sources import EVENTBRITE, EVENTBRITE_LEGACY, XING, XING2
from doorcheck.words import Phrase, phrase

DEFAULT_STATION = "Main Entrance"


@dataclass(frozen=True)
class LoginRequest:
    """What a steward gives to log a door in. ``source`` is a key of
    ``sync.sources.SOURCES``; ``key`` the App Code, API key or token (the legacy
    Eventbrite API takes ``app_key`` too)."""

    source: str
    server: str
    key: str
    station: str = ""
    event: str = ""
    app_key: str = ""
    xing_version: int = 1
    encrypt: bool = False  # the door's stores encrypted (SQLCipher), its key in the keyring


@dataclass(frozen=True)
class LoggedIn:
    source: str
    station: str
    event_id: str
    event_name: str = ""  # a station's answer
    mode: str = ""


def log_in(data_dir: Path, request: LoginRequest) -> LoggedIn:
    """Save the login; a station is asked first, and its answer (the station's name
    as it spells it, the event, the mode) is kept. ``encrypt``: the door's stores
    are encrypted from the first (docs/security.md)."""
    if request.encrypt:
        encrypt_door(data_dir)
    if request.source == "station":
        return _log_in_station(data_dir, request)
    station = request.station or DEFAULT_STATION
    if request.source == "xing":
        if not (request.server and request.key):
            raise _incomplete("a XING Events login needs --server (the API's URL) and --key")
        prefix = XING2 if request.xing_version == 2 else XING
        save_login(data_dir, prefix + request.server, request.event, station, request.key)
    elif request.source == "eventbrite":
        from doorcheck.connectors.eventbrite import DEFAULT_URL

        if not (request.key and request.event):
            raise _incomplete("an Eventbrite login needs --key (the private token) and --event")
        server = EVENTBRITE + (request.server or DEFAULT_URL)
        save_login(data_dir, server, request.event, station, request.key)
    elif request.source == "eventbrite-legacy":
        from doorcheck.connectors.eventbrite_legacy import DEFAULT_URL as LEGACY_URL

        if not (request.app_key and request.key and request.event):
            raise _incomplete(
                "the legacy Eventbrite API needs --app-key, --key (user key), --event"
            )
        server = EVENTBRITE_LEGACY + (request.server or LEGACY_URL)
        secret = f"{request.app_key}\n{request.key}"  # both kept as one secret
        save_login(data_dir, server, request.event, station, secret)
    else:
        raise _incomplete(f"unknown guest source {request.source!r}")
    return LoggedIn(request.source, station, request.event)


def _incomplete(missing: str) -> DoorError:
    return DoorError(Problem.LOGIN_INCOMPLETE, missing=missing)


def _log_in_station(data_dir: Path, request: LoginRequest) -> LoggedIn:
    from doorcheck.sync.station_sync import measure_skew

    if not all([request.server, request.event, request.key, request.station]):
        raise _incomplete("login needs --server, --event, --key and --station")
    given = GivenLogin(request.server, request.event, request.key, request.station)
    with open_door(data_dir, given) as door:
        # The same laptop keeps its device ID, so logging in again replaces its own
        # session instead of taking another place under the station's device limit.
        earlier = load_login(door.data_dir)
        device_id = earlier[0].device_id if earlier else str(uuid.uuid4())
        door.client.device_id = device_id
        result = door.log_in()
        saved = save_login(
            door.data_dir, request.server, request.event, result.station_name, request.key,
            device_id,
        )  # fmt: skip
        save_session_token(door.data_dir, saved, result.session_token)
        measure_skew(door.store, door.client)
    return LoggedIn("station", result.station_name, result.event.id, result.event.name,
                    result.event.configuration.mode.value)  # fmt: skip


def log_in_and_load(
    data_dir: Path,
    source: str,
    address: str,
    event: str,
    key: str,
    station: str,
    *,
    encrypt: bool = False,
) -> None:
    """What the login screen does: log in (or load the file), remember the login,
    fetch the guest list. For the legacy Eventbrite API, ``key`` is the application
    key and the user key on two lines. ``encrypt``: the door's data encrypted."""
    if source == "spreadsheet":
        import_list(data_dir, Path(address), station=station, encrypt=encrypt)
        return
    app_key = ""
    if source == "eventbrite-legacy":
        app_key, _, key = key.partition("\n")
    log_in(data_dir, LoginRequest(source, address, key, station, event, app_key,
                                  encrypt=encrypt))  # fmt: skip
    with open_door(data_dir) as door:
        door.sync_once()


# -- list files ------------------------------------------------------------------


@dataclass(frozen=True)
class ListFile:
    """A guest list file as read: what it holds and how its columns were taken."""

    path: Path
    kind: str  # "spreadsheet" or "eventbrite-xml"
    rows: int
    guests: int
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[tuple[str, int, str]] = field(default_factory=list)  # field, column, header
    problems: list[str | Phrase] = field(default_factory=list)
    first: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, company


@dataclass(frozen=True)
class Imported:
    station: str
    event_id: str
    guests: int


def read_list_file(path: Path, mapping: tuple[str, ...] = ()) -> ListFile:
    """Read a CSV, XLSX or Eventbrite XML list without loading it anywhere."""
    from doorcheck.connectors.eventbrite_legacy import LegacyXmlFile
    from doorcheck.connectors.spreadsheet import FIELDS, SpreadsheetError, load_file

    if path.suffix.lower() == ".xml":
        try:
            guests = [obj for batch in LegacyXmlFile(path).full_load() for obj, _ in batch]
        except SourceError as exc:
            raise DoorError(Problem.BAD_FILE, why=_of_file(path, exc)) from exc
        return ListFile(path, "eventbrite-xml", len(guests), len(guests),
                        first=[_first(guest) for guest in guests[:5]])  # fmt: skip
    try:
        sheet = load_file(path, mapping)
    except SpreadsheetError as exc:
        raise DoorError(Problem.BAD_FILE, why=exc.phrase) from exc
    table = sheet.table
    columns = [
        (name, column, table.headers[column])
        for name, column in sorted(sheet.mapping.items(), key=lambda item: FIELDS.index(item[0]))
    ]
    return ListFile(
        path, "spreadsheet", sheet.rows, len(sheet.guests), table.encoding, table.delimiter,
        columns, list(sheet.problems()), [_first(guest) for guest in sheet.guests[:5]],
    )  # fmt: skip


def _of_file(path: Path, exc: SourceError) -> Phrase:
    return phrase("{file}: {why}", file=path.name, why=exc.words)


def _first(guest: dict[str, object]) -> tuple[str, str, str]:
    fields = guest.get("fields")
    values = fields if isinstance(fields, dict) else {}
    name = " ".join(str(values.get(key, "")) for key in ("firstName", "lastName")).strip()
    return str(guest.get("accessCode") or "-"), name, str(values.get("company", ""))


def import_list(
    data_dir: Path,
    path: Path,
    *,
    station: str = DEFAULT_STATION,
    mode: Mode = Mode.CHECK_IN,
    mapping: tuple[str, ...] = (),
    encrypt: bool = False,
) -> Imported:
    """Load a list file into this laptop's door for it, and make it the saved login.
    Loading again keeps the check-ins this door made. ``encrypt``: as log_in's."""
    from doorcheck.connectors.eventbrite_legacy import LegacyXmlFile
    from doorcheck.connectors.spreadsheet import SpreadsheetConnector, SpreadsheetError
    from doorcheck.sync.source_sync import load_list

    path = path.resolve()
    data_dir = private_dir(data_dir)
    if encrypt:
        encrypt_door(data_dir)
    connector: Connector = (
        LegacyXmlFile(path)
        if path.suffix.lower() == ".xml"
        else SpreadsheetConnector(path, mapping)
    )
    event_id = "file-" + safe_name(path.stem)
    file = store_path(data_dir, event_id, station)
    existed = file.exists()
    store = open_store(data_dir, file)
    try:
        written = load_list(store, connector)  # again: this door's check-ins are kept
        store.set_state("event", json.dumps({"id": event_id, "name": path.stem}))
        store.set_state("mode", mode.value)
        store.set_state("last_sync", datetime.now().astimezone().isoformat())
    except (SpreadsheetError, SourceError) as exc:
        store.close()
        if not existed:  # a refused file leaves no empty door behind
            for part in (file, *(file.with_name(file.name + end) for end in ("-wal", "-shm"))):
                part.unlink(missing_ok=True)
        why = exc.phrase if isinstance(exc, SpreadsheetError) else _of_file(path, exc)
        raise DoorError(Problem.BAD_FILE, why=why) from exc
    except BaseException:
        store.close()
        raise
    store.close()
    # Only a list that loaded becomes the saved login: a refused file must not leave
    # the kiosk opening on an empty door next time.
    save_login(data_dir, FILE_SOURCE + str(path), event_id, station, "")
    return Imported(station, event_id, written)


def preview_lines(path: str) -> list[str | Phrase]:
    """The login screen's preview of a guest list file, a line each: in English as
    ``str()`` of each line, in the window's language through ``ui.i18n.say``."""
    try:
        found = read_list_file(Path(path))
    except DoorError as exc:
        return [exc.words]
    name = found.path.name
    if found.kind == "eventbrite-xml":
        return [
            phrase("{file}: {count} tickets from an Eventbrite attendee list.",
                   file=name, count=found.guests)
        ]  # fmt: skip
    columns = ", ".join(f"{field_name} = {header!r}" for field_name, _, header in found.columns)
    first = (
        phrase("{file}: 1 guest ({columns}).", file=name, columns=columns)
        if found.guests == 1
        else phrase("{file}: {count} guests ({columns}).", file=name, count=found.guests,
                    columns=columns)
    )  # fmt: skip
    lines: list[str | Phrase] = [first, *found.problems]
    lines += [f"  {code}  {guest}" for code, guest, _ in found.first[:3]]
    return lines
