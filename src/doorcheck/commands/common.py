"""What the commands share: the one-line error, the data folder, the headless door."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from doorcheck.domain.verdict import Mode
from doorcheck.paths import store_path
from doorcheck.words import Phrase

if TYPE_CHECKING:
    from collections.abc import Callable

    from doorcheck.services.checkin import CheckInService
    from doorcheck.station.writer import ChangeWriter
    from doorcheck.store.credentials import SavedLogin
    from doorcheck.store.local import LocalStore
    from doorcheck.sync.engine import SyncEngine, SyncReport, SyncStatus
    from doorcheck.sync.health import WorkerHealth
    from doorcheck.sync.source_sync import SourceSync


class CommandError(Exception):
    """A failure to report in one line, with exit status 1. ``words`` is the same
    message for the login screen, translatable where it was made with ``phrase``."""

    def __init__(self, message: str | Phrase) -> None:
        super().__init__(str(message))
        self.words = message


DISK_FULL = (
    "the laptop's disk is full: nothing was recorded. Free some space, then run the "
    "command again (changes already waiting are kept)."
)


def refusal_of_disk(exc: BaseException) -> str | None:
    """The one line any command ends with when the disk (or the store) is full."""
    from doorcheck.sync.health import is_disk_full

    return DISK_FULL if is_disk_full(exc) else None


# -- shared option groups ------------------------------------------------------------


def kiosk_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("station login (default: the saved login)")
    group.add_argument("--server", metavar="URL", help="station server URL")
    group.add_argument("--event", metavar="ID", help="event ID")
    group.add_argument("--key", metavar="CODE", help="the station's App Code")
    group.add_argument("--station", metavar="NAME", help="station name")
    parser.add_argument("--data", metavar="DIR", type=Path, help="local data folder")


def server_db_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="DIR", type=Path, help="folder of the server's SQLite database"
    )
    parser.add_argument(
        "--db", metavar="URL", help="database URL instead (sqlite:///… or postgresql://…)"
    )


def kiosk_data_dir(args: argparse.Namespace) -> Path:
    if args.data is not None:
        return Path(args.data)
    from platformdirs import user_data_path

    return user_data_path("doorcheck", appauthor=False)


def server_db_url(args: argparse.Namespace, *, temporary: bool = False) -> str:
    from doorcheck.station.server.db import sqlite_url
    from doorcheck.station.server.serve import default_data_dir

    if args.db:
        return str(args.db)
    if args.data is not None:
        data = Path(args.data)
    elif temporary:
        data = Path(tempfile.mkdtemp(prefix="doorcheck-demo-"))
    else:
        data = default_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    return sqlite_url(data)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def local_time(iso: str | None) -> str:
    """A stored UTC time as the steward's clock shows it."""
    from doorcheck.domain.timeutil import parse_datetime

    when = parse_datetime(iso)
    if when is None:
        return "never"
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


# -- the headless kiosk --------------------------------------------------------------


class Door:
    """A headless kiosk: the saved login, a client and the local store, wired.

    The store opens on first use, so a login can first learn from the server who
    the station is (its name as the server spells it decides the file)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        server: str,
        event_id: str,
        station: str,
        app_code: str,
        device_id: str | None,
    ) -> None:
        from doorcheck.station.client import Credentials, StationClient
        from doorcheck.store.credentials import private_dir
        from doorcheck.sync.sources import source_of

        self.data_dir = private_dir(data_dir)
        self.station = station
        self.saved: SavedLogin | None = None
        self.client = StationClient(
            server, Credentials(event_id, app_code, station), device_id=device_id
        )
        self.event_id = event_id
        self.source = source_of(server)
        self._store: LocalStore | None = None

    @property
    def store(self) -> LocalStore:
        from doorcheck.store.local import LocalStore

        if self._store is None:
            self._store = LocalStore.open(store_path(self.data_dir, self.event_id, self.station))
        return self._store

    @property
    def writer(self) -> ChangeWriter:
        from doorcheck.station.writer import StationChangeWriter
        from doorcheck.sync.source_sync import LocalListWriter

        # Only a station takes check-ins; elsewhere they are applied here and exported.
        if self.source == "station":
            return StationChangeWriter(self.client)
        return LocalListWriter(self.store)

    def take_station_from_login(self) -> None:
        """The station is who the server says it is: its spelling of the name picks
        the data file, its answer sets the event and the mode."""
        from doorcheck.sync.engine import remember_station

        result = self.client.login_result
        if result is None:
            return
        if result.station_name != self.station:
            if self._store is not None:
                self._store.close()
                self._store = None
            self.station = result.station_name
        remember_station(self.store, self.client)

    def mode(self) -> Mode:
        """The station's mode as the server last said it. Never guessed: a door that
        does not know it asks the server, and refuses to decide if it cannot."""
        from doorcheck.station.errors import StationError

        known = self.store.get_state("mode")
        if known is None and self.source == "station":
            try:
                self.client.login()
            except StationError as exc:
                raise CommandError(
                    "this door does not know its station's mode yet and cannot ask the "
                    f"server ({exc.message}); run 'doorcheck login' while online"
                ) from exc
            self.take_station_from_login()
            known = self.store.get_state("mode")
        return Mode(known or Mode.CHECK_IN.value)

    def service(self) -> CheckInService:
        from doorcheck.services.checkin import station_service

        self.mode()  # known, or asked of the server, before anything is decided
        return station_service(self.store, self.station)

    @property
    def login(self) -> SavedLogin:
        """The saved login, or one made of the login details given on the command line."""
        from doorcheck.store.credentials import SavedLogin

        if self.saved is not None:
            return self.saved
        return SavedLogin(self.client.base_url, self.event_id, self.station,
                          self.client.device_id or "", vault="none")  # fmt: skip

    def sync_worker(
        self,
        *,
        interval: float = 3.0,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
        on_report: Callable[[SyncReport], None] | None = None,
    ) -> SyncEngine | SourceSync:
        """The same worker the window runs for this door (sync.sources.door_sync)."""
        from doorcheck.sync.sources import door_sync

        return door_sync(self.store, self.login, self.client.credentials.app_code, self.client,
                         interval=interval, on_status=on_status, on_health=on_health,
                         on_report=on_report)  # fmt: skip

    def remember_session(self) -> None:
        """Keep a renewed session token for the next command (saved logins only)."""
        from doorcheck.store.credentials import save_session_token

        if self.saved is not None and self.client.session_token:
            save_session_token(self.data_dir, self.saved, self.client.session_token)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        self.client.close()


def open_door(args: argparse.Namespace) -> Door:
    from doorcheck.services.privacy import wipe_expired
    from doorcheck.store.credentials import load_login, load_session_token

    data_dir = kiosk_data_dir(args)
    for wiped in wipe_expired(data_dir):
        print(
            f"doorcheck: wiped the local data of event {wiped} (its wipe time had come)",
            file=sys.stderr,
        )
    given = [args.server, args.event, args.key, args.station]
    if all(given):
        return Door(
            data_dir,
            server=args.server,
            event_id=args.event,
            station=args.station,
            app_code=args.key,
            device_id=None,
        )
    if any(given):
        raise CommandError("give all of --server, --event, --key and --station, or none")
    saved = load_login(data_dir)
    if saved is None:
        raise CommandError(f"not logged in: run 'doorcheck login' first (data folder {data_dir})")
    login, secret = saved
    door = Door(
        data_dir,
        server=login.server,
        event_id=login.event_id,
        station=login.station_name,
        app_code=secret,
        device_id=login.device_id,
    )
    door.saved = login
    token = load_session_token(data_dir, login)
    if token:
        door.client.adopt_session(token)
    return door
