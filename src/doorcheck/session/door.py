"""A door session: one door of one event, opened once, the same wherever it runs.

Opening a door decides its parts once: the local store (one file per event and
station), the guest source (a station, a spreadsheet, XING, Eventbrite), the writer
its check-ins go to, the worker that keeps the store in step, the forwarder to Event
Cadence and the check-in service. The command line, the window, the demo and the
self-test all open doors here, so a door behaves the same in each.

Its use cases (sync once, check in or out, status, export, forward, search, guest
details) take and return plain data and raise ``DoorError``; none prints.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from doorcheck.domain.changes import Action
from doorcheck.domain.occupancy import (
    CheckOutTime,
    DoorZone,
    PlanError,
    capacity_of,
    zone_name,
)
from doorcheck.domain.verdict import Mode
from doorcheck.logs import register_secret
from doorcheck.paths import store_path
from doorcheck.protocol.errors import StationError, TransportError
from doorcheck.protocol.wire import LoginResult
from doorcheck.services.checkin import CheckInService, station_service
from doorcheck.session.errors import DoorError, Problem, said
from doorcheck.session.results import (
    CheckSummary,
    DoorReport,
    ForwardSummary,
    GivenLogin,
    SyncSummary,
)
from doorcheck.station.client import Credentials, StationClient
from doorcheck.store.cipher import Locked, StoreLockedError
from doorcheck.store.credentials import (
    FILE_SOURCE,
    SavedLogin,
    encrypt_stores,
    load_login,
    load_named_secret,
    load_session_token,
    load_store_key,
    private_dir,
    save_login,
    save_named_secret,
    save_session_token,
    store_encryption,
)
from doorcheck.store.local import LocalStore
from doorcheck.store.outbox import OutboxState
from doorcheck.sync.guest_sources import connector_for, door_sync, is_remote, source_of
from doorcheck.sync.health import is_disk_full, stored_failures
from doorcheck.views import ChangeView, PeerView, SearchHits
from doorcheck.wording import invalid_code_words

if TYPE_CHECKING:
    from doorcheck.peers.node import MeshNode
    from doorcheck.station.writer import ChangeWriter
    from doorcheck.sync.forwarder import Forwarder
    from doorcheck.sync.health import WorkerHealth
    from doorcheck.sync.source_sync import SourceSync
    from doorcheck.sync.station_sync import StationSync, SyncReport
    from doorcheck.views import ForwardStatus, SyncStatus

log = logging.getLogger(__name__)

# Doors' addresses from pairing codes (setting, JSON list), dialled at every join.
MESH_ADDRESSES = "mesh_addresses"
MAX_SAVED_ADDRESSES = 16

# The changes a steward is shown: what waits, what the server refused or disputed.
SHOWN_CHANGES = (OutboxState.PENDING, OutboxState.SENT, OutboxState.CONFLICT, OutboxState.REJECTED)


class DoorSession:
    """One door: the login, a client, the local store and the parts made from them.

    The store opens on first use, so a login can first learn from the server who the
    station is (its name as the server spells it decides the file)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        server: str,
        event_id: str,
        station: str,
        app_code: str,
        device_id: str | None,
        saved: SavedLogin | None = None,
    ) -> None:
        self.data_dir = private_dir(data_dir)
        self.station = station
        self.event_id = event_id
        self.saved = saved
        self.client = StationClient(
            server, Credentials(event_id, app_code, station), device_id=device_id
        )
        self.source = source_of(server)
        self._store: LocalStore | None = None

    @classmethod
    def of_login(cls, data_dir: Path, login: SavedLogin, secret: str) -> DoorSession:
        """The door of a saved login, its last session token adopted."""
        door = cls(
            data_dir,
            server=login.server,
            event_id=login.event_id,
            station=login.station_name,
            app_code=secret,
            device_id=login.device_id,
            saved=login,
        )
        try:
            token = load_session_token(door.data_dir, login)
        except BaseException:
            door.close()
            raise
        if token:
            door.client.adopt_session(token)
        return door

    # -- the parts -------------------------------------------------------------------

    @property
    def store(self) -> LocalStore:
        if self._store is None:
            path = store_path(self.data_dir, self.event_id, self.station)
            self._store = open_store(self.data_dir, path)
        return self._store

    def encryption(self) -> str | None:
        """Where an encrypted door's key is kept ("keyring" or "file"); None: plain."""
        encryption = store_encryption(self.data_dir)
        return encryption.vault if encryption is not None else None

    @property
    def login(self) -> SavedLogin:
        """The saved login, or one made of the login details given on the command line."""
        if self.saved is not None:
            return self.saved
        return SavedLogin(self.client.base_url, self.event_id, self.station,
                          self.client.device_id or "", vault="none")  # fmt: skip

    @property
    def uploads(self) -> bool:
        """Only a station takes check-ins; elsewhere they are applied here and exported."""
        return self.source == "station"

    @property
    def list_file(self) -> str | None:
        server = self.client.base_url
        return server.removeprefix(FILE_SOURCE) if server.startswith(FILE_SOURCE) else None

    @property
    def writer(self) -> ChangeWriter:
        from doorcheck.station.writer import StationChangeWriter
        from doorcheck.sync.source_sync import LocalListWriter

        if self.uploads:
            return StationChangeWriter(self.client)
        return LocalListWriter(self.store)

    def event(self) -> dict[str, object]:
        """The event as the server (or the import) last described it."""
        event = json.loads(self.store.get_state("event") or "{}")
        return event if isinstance(event, dict) else {}

    def take_station_from_login(self) -> None:
        """The station is who the server says it is: its spelling of the name picks
        the data file, its answer sets the event and the mode."""
        from doorcheck.sync.station_sync import remember_station

        result = self.client.login_result
        if result is None:
            return
        if result.station_name != self.station:
            if self._store is not None:
                self._store.close()
                self._store = None
            self.station = result.station_name
        remember_station(self.store, self.client)
        if result.mesh_secret and result.mesh_secret != self.mesh_secret_text():
            save_named_secret(self.data_dir, self._mesh_secret_name, result.mesh_secret)

    def mode(self) -> Mode:
        """The station's mode as the server last said it. Never guessed: a door that
        does not know it asks the server, and refuses to decide if it cannot."""
        known = self.store.get_state("mode")
        if known is None and self.uploads:
            try:
                self.client.login()
            except StationError as exc:
                raise DoorError(Problem.MODE_UNKNOWN, why=exc.message) from exc
            self.take_station_from_login()
            known = self.store.get_state("mode")
        return Mode(known or Mode.CHECK_IN.value)

    def service(
        self, on_change: Callable[[], None] | None = None, *, ask: bool = True
    ) -> CheckInService:
        """The check-in service of this door. With ``ask``, the station's mode is known
        (or asked of the server) before anything is decided."""
        if ask:
            self.mode()
        return station_service(self.store, self.station, on_change=on_change)

    def sync_worker(
        self,
        *,
        interval: float = 3.0,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
        on_report: Callable[[SyncReport], None] | None = None,
    ) -> StationSync | SourceSync:
        """The worker that keeps this door in step (sync.guest_sources.door_sync)."""
        return door_sync(self.store, self.login, self.client.credentials.app_code, self.client,
                         interval=interval, on_status=on_status, on_health=on_health,
                         on_report=on_report)  # fmt: skip

    def forwarder(
        self,
        *,
        on_status: Callable[[ForwardStatus], None] | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
    ) -> Forwarder | None:
        """Event Cadence, if this door was set up for it (`doorcheck forward`)."""
        from doorcheck.connectors.eventcadence import CadencePusher
        from doorcheck.sync.forwarder import Forwarder, load_settings

        settings = load_settings(self.store)
        if settings is None:
            return None
        key = load_named_secret(self.data_dir, self._cadence_secret)
        if not key:
            # Set up, but the key is gone: say so rather than stop forwarding in silence.
            log.warning("Event Cadence is set up but its key is missing; run 'doorcheck forward'")
            return None
        pusher = CadencePusher(settings, key)
        return Forwarder(self.store, pusher, on_status=on_status, on_health=on_health)

    # -- the doors nearby (docs/peers.md) -----------------------------------------------

    @property
    def _mesh_secret_name(self) -> str:
        return f"mesh|{self.event_id}"

    def save_mesh_secret(self, text: str) -> None:
        register_secret(text)
        save_named_secret(self.data_dir, self._mesh_secret_name, text)

    def mesh_secret_text(self) -> str | None:
        text = load_named_secret(self.data_dir, self._mesh_secret_name)
        if text:
            register_secret(text)  # masked wherever it might be logged
        return text

    def pairing(self, addresses: Sequence[str] = ()) -> str:
        """The pairing code this door shows, for a door without the station's secret."""
        from doorcheck.peers.trust import MeshSecret, Pairing, StationLogin

        text = self.mesh_secret_text()
        if not text:
            # No server gave one (a spreadsheet, XING or Eventbrite door, or a server
            # without our login extension): the first door to show a pairing code
            # makes the event's secret, and every door paired with it shares it.
            text = MeshSecret.new().text()
            self.save_mesh_secret(text)
            log.info("made this event's mesh secret (the first door of its mesh)")
        # A station door's code lets a new door start as this station without the
        # server (its list then comes from this door); a spreadsheet's file is not
        # on the other laptop, so its code pairs only.
        login = (
            StationLogin(self.client.base_url, self.station, self.client.credentials.app_code)
            if self.uploads
            else None
        )
        return Pairing(self.event_id, MeshSecret.from_text(text), tuple(addresses), login).text()

    def pairing_here(self, port: int | None) -> str:
        """The pairing code of this door listening on ``port``: it carries this
        laptop's addresses, for networks where doors cannot find each other."""
        from doorcheck.peers.discovery import lan_addresses

        addresses = [f"{ip}:{port}" for ip in lan_addresses()][:MAX_SAVED_ADDRESSES] if port else []
        return self.pairing(addresses)

    def saved_addresses(self) -> list[str]:
        """Doors' addresses from pairing codes taken here, dialled at every join."""
        try:
            found = json.loads(self.store.get_setting(MESH_ADDRESSES) or "[]")
        except ValueError:
            return []
        return [a for a in found if isinstance(a, str)][:MAX_SAVED_ADDRESSES]

    def remember_addresses(self, addresses: Sequence[str]) -> None:
        kept = list(dict.fromkeys([*addresses, *self.saved_addresses()]))[:MAX_SAVED_ADDRESSES]
        self.store.set_setting(MESH_ADDRESSES, json.dumps(kept))

    def pair(self, code: str) -> tuple[str, ...]:
        """Take the mesh secret from another door's pairing code; returns the
        addresses it says that door listens at."""
        from doorcheck.peers.trust import Pairing, TrustError

        try:
            pairing = Pairing.parse(code)
        except TrustError as exc:
            raise DoorError(Problem.BAD_PAIRING, why=str(exc)) from exc
        if pairing.event_id != self.event_id:
            raise DoorError(Problem.BAD_PAIRING, why=f"it is of event {pairing.event_id}")
        self.save_mesh_secret(pairing.secret.text())
        self.remember_addresses(pairing.addresses)
        return pairing.addresses

    def join_mesh(
        self,
        service: CheckInService,
        *,
        listen: tuple[str, int] | None,
        addresses: Sequence[str] = (),
        on_learned: Callable[[int], None] | None = None,
        discover: bool = True,
    ) -> MeshNode:
        """Join the other doors of this event on the LAN, started; the check-in
        service then tells the node of each change at once. ``discover``: announce
        this door and find the others with mDNS, besides ``addresses``."""
        from doorcheck.peers.node import MeshNode
        from doorcheck.peers.trust import MeshSecret, door_identity

        text = self.mesh_secret_text()
        if not text:
            raise DoorError(Problem.NO_MESH_SECRET)
        secret = MeshSecret.from_text(text)
        identity = door_identity(secret, self.store.log.door_id, self.data_dir / "mesh")
        addresses = [*addresses, *self.saved_addresses()]
        node = MeshNode(self.store, identity, service.door_clock, station=self.station,
                        event_id=self.event_id, listen=listen, addresses=addresses,
                        on_learned=on_learned,
                        discover_mesh=secret.mesh_id() if discover else None)  # fmt: skip
        try:
            node.start()
        except OSError as exc:
            raise DoorError(Problem.MESH_FAILED, why=exc.strerror or str(exc)) from exc
        earlier = service.on_change

        def on_change() -> None:
            node.nudge()
            if earlier is not None:
                earlier()

        service.on_change = on_change
        return node

    @property
    def _cadence_secret(self) -> str:
        return f"eventcadence|{self.event_id}"

    def remember_session(self) -> None:
        """Keep a renewed session token for the next start (saved logins only)."""
        if self.saved is not None and self.client.session_token:
            save_session_token(self.data_dir, self.saved, self.client.session_token)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self.client.close()

    def __enter__(self) -> DoorSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- use cases -------------------------------------------------------------------

    def sync_once(self) -> SyncSummary:
        """One round with the source: news in, this door's changes out (a station) or
        applied to its own copy (the other sources)."""
        from doorcheck.sync.source_sync import SourceSync
        from doorcheck.sync.station_sync import sync_once

        if not self.uploads:
            connector = connector_for(self.login, self.client.credentials.app_code)
            assert connector is not None  # every source but a station has one
            worker = SourceSync(self.store, connector, remote=is_remote(self.login.server))
            try:
                report = worker.run_once()
            finally:
                close = getattr(connector, "close", None)  # the web sources' HTTP client
                if close is not None:
                    close()
            if report is None:
                why = worker.status.last_error or "the guest source failed"
                raise DoorError(Problem.SOURCE_FAILED, why=why)
            return self._summary(connector.name, report.guests_received)
        if self.client.session_token is None:
            self.log_in()  # who the station is comes first: its name picks the file
        try:
            done = sync_once(self.store, self.client, self.writer)
        except StationError as exc:
            raise DoorError(Problem.SOURCE_FAILED, why=said(exc.message)) from exc
        self.take_station_from_login()  # a renewed session may bring a changed mode
        self.remember_session()
        return self._summary("station", done.guests_received, full=done.full,
                             uploaded=done.uploaded, conflicts=done.conflicts,
                             rejected=done.rejected)  # fmt: skip

    def _summary(self, source: str, received: int, *, full: bool = True, uploaded: int = 0,
                 conflicts: int = 0, rejected: int = 0) -> SyncSummary:  # fmt: skip
        status = self.store.status()
        return SyncSummary(source, full, received, uploaded, conflicts, rejected,
                           status.checked_in, status.guests)  # fmt: skip

    def log_in(self) -> LoginResult:
        """Log in to the station now; the door becomes the station the server names."""
        try:
            result = self.client.login()
        except StationError as exc:
            raise DoorError(Problem.LOGIN_REFUSED, why=said(exc.message)) from exc
        self.take_station_from_login()
        return result

    def _deciding_service(self) -> CheckInService:
        """The service a typed-in code is decided by; refused without a guest list."""
        service = self.service()  # first: it may ask the server who this station is
        if self.store.get_state("cursor") is None:
            raise DoorError(Problem.NO_GUEST_LIST)
        return service

    def check(self, code: str, action: Action) -> CheckSummary:
        """A ticket code typed by hand, decided as a scan is, then uploaded at once
        (or left waiting, said why)."""
        outcome = self._deciding_service().scan(code, "manual", action)
        if outcome.code is None:
            raise DoorError(Problem.INVALID_CODE, why=invalid_code_words(outcome.verdict.invalid))
        if not outcome.nonces:
            return CheckSummary(outcome, recorded=False, upload="")
        return CheckSummary(outcome, recorded=True, upload=self._upload_now())

    def _upload_now(self) -> str:
        """What was just recorded, uploaded at once: how that went, in words."""
        from doorcheck.sync.station_sync import push_pending

        try:
            push_pending(self.store, self.writer)
            upload = "uploaded" if self.uploads else "recorded"
        except StationError as exc:
            upload = f"queued, will upload later ({exc.message})"
        except OperationalError as exc:
            if not is_disk_full(exc):
                raise
            # The verdicts are on disk; only the upload's answer could not be written.
            upload = "queued, will upload later (the laptop's disk is full)"
        self.remember_session()
        return upload

    def check_in_party(self, code: str) -> list[CheckSummary]:
        """A guest and every companion not yet in, in one transaction (all or none),
        then uploaded at once; the main guest's answer first."""
        service = self._deciding_service()
        view = self.store.guest_by_code(code)
        if view is None:  # not a guest of this list: decided and said as a scan is
            return [self.check(code, Action.CHECK_IN)]
        waiting = [c.id for c in view.companions if not c.is_checked_in]
        outcomes = service.check_in_party(view.guest.id, waiting)
        upload = self._upload_now() if any(o.nonces for o in outcomes) else ""
        return [CheckSummary(o, bool(o.nonces), upload if o.nonces else "") for o in outcomes]

    def search(self, text: str, limit: int = 20) -> SearchHits:
        """Guests by name, company, email or code, as the window's guest list finds them."""
        return self.store.search(text, limit)

    def report(self, *, changes: bool = False, probe: bool = True) -> DoorReport:
        """The door's state: counts, failing workers, and (``probe``) whether the
        station answers now."""
        online = self._probe_online() if probe and self.uploads else None
        return DoorReport(
            event=self.event(),
            station=self.station,
            source=self.source,
            list_file=self.list_file,
            online=online,
            status=self.store.status(),
            failures=stored_failures(self.store),
            changes=self.changes() if changes else None,
            door_id=self.store.log.door_id,
            peers=self.peers(),
            occupancy=self.store.statistics().occupancy,
            door_zone=self.door_zone(),
            check_out_at=at.text() if (at := self.store.zones.check_out_time()) else None,
            key_vault=self.encryption(),
        )

    def peers(self) -> list[PeerView]:
        """The other doors of the mesh as last heard (kept by whichever process of
        this door runs the mesh: the window, or `doorcheck sync --watch`)."""
        from doorcheck.peers.node import STALE_SECONDS

        vector = self.store.log.vector()
        now = datetime.now(UTC)
        return [
            PeerView(
                door_id=p.door_id,
                station=p.station,
                address=p.address,
                last_heard=p.last_heard,
                stale=p.last_heard is None or (now - p.last_heard).total_seconds() > STALE_SECONDS,
                held=vector.get(p.door_id, 0),
                clock_offset_ms=p.clock_offset_ms,
                problem=p.problem,
                zone=p.zone,
            )
            for p in self.store.log.peers()
        ]

    def _probe_online(self) -> bool:
        """Online means the server answers now; one login, with short timeouts, tells."""
        import httpx

        self.client.timeout = httpx.Timeout(3.0)
        try:
            self.client.login()
        except TransportError:
            return False
        except StationError:
            return True  # it answered, if only to refuse
        self.remember_session()
        return True

    def changes(self) -> list[ChangeView]:
        """What waits, and what the server refused or disputed."""
        return self.store.changes(SHOWN_CHANGES)

    def export(self, path: Path) -> tuple[Path, int]:
        """Who came (and left) at this door, to a CSV or XLSX file: its path and rows."""
        from doorcheck.connectors.spreadsheet import export_rows, write_export

        rows = export_rows(self.store.guests_with_presence())
        try:
            return write_export(rows, path), len(rows)
        except OSError as exc:
            raise DoorError(Problem.CANNOT_WRITE, file=path, why=exc.strerror) from exc

    def set_up_forwarding(self, settings_json: str, key: str) -> None:
        from doorcheck.sync.forwarder import SETTINGS_KEY

        self.store.set_setting(SETTINGS_KEY, settings_json)
        save_named_secret(self.data_dir, self._cadence_secret, key)

    def forward_once(self) -> ForwardSummary:
        """Push the profiles of this door's check-ins that still wait to Event Cadence."""
        forwarder = self.forwarder()
        if forwarder is None:
            raise DoorError(Problem.NOT_SET_UP, what="Event Cadence",
                            how="give --url and --key once")  # fmt: skip
        try:
            status = forwarder.run_once()
        finally:
            forwarder.pusher.close()
        held_back = self.store.forward_problems("eventcadence")
        return ForwardSummary(status.sent, status.waiting, status.held, status.problem,
                              status.blocked, held_back)  # fmt: skip

    # -- zones and the daily check-out (docs/occupancy.md) -----------------------------

    def door_zone(self) -> DoorZone | None:
        """The zone set at this door for its station (None: the server's plan holds)."""
        own = self.store.zones.door_zone()
        return own[1] if own and own[0] == self.station else None

    def set_door_zone(self, name: str | None, capacity: int | None = None) -> None:
        """Put this door's station in zone ``name`` (None: back to the server's plan);
        the other doors learn it at their next meeting with this one."""
        try:
            zone = None if name is None else DoorZone(zone_name(name), capacity_of(capacity))
        except PlanError as exc:
            raise DoorError(Problem.BAD_ZONE, why=str(exc)) from exc
        self.store.zones.set_door_zone(self.station, zone)

    def set_check_out_time(self, text: str | None) -> None:
        """Check everyone out every day at ``text`` ("HH:MM", this laptop's time), or
        (None) no more. Only at a door that may check out."""
        try:
            at = None if text is None else CheckOutTime.parse(text)
        except PlanError as exc:
            raise DoorError(Problem.BAD_ZONE, why=str(exc)) from exc
        if at is not None and self.mode() == Mode.CHECK_IN:
            raise DoorError(Problem.CANNOT_CHECK_OUT)
        self.store.zones.set_check_out_time(at, datetime.now().astimezone())

    def check_out_everyone(self, service: CheckInService | None = None) -> int:
        """Check out every guest inside now; how many."""
        service = service or self._deciding_service()
        try:
            return service.check_out_everyone()
        except ValueError as exc:
            raise DoorError(Problem.CANNOT_CHECK_OUT) from exc

    def check_out_if_due(self, service: CheckInService, now: datetime | None = None) -> int | None:
        """The daily check-out, if its time has come since it was last done; how many
        were checked out (None: not due). The window and `sync --watch` call this
        every few seconds."""
        zones = self.store.zones
        at = zones.check_out_time()
        if at is None:
            return None
        now = now or datetime.now().astimezone()
        due = at.due(now, zones.check_out_done())
        if due is None:
            return None
        try:
            count = self.check_out_everyone(service)
        finally:
            zones.note_check_out_done(now)  # tried once per day, not every tick
        log.info("the daily check-out at %s checked out %d guests", at.text(), count)
        return count

    def set_wipe_after(self, days: float) -> None:
        from doorcheck.services.privacy import WIPE_AFTER_DAYS

        self.store.set_setting(WIPE_AFTER_DAYS, str(days))


def open_store(data_dir: Path, path: Path) -> LocalStore:
    """The store at ``path`` of the door in ``data_dir``: encrypted with the folder's
    key if the folder's stores are (docs/security.md). A store that stays shut is a
    DoorError in words; the file is left as it is."""
    try:
        key = load_store_key(data_dir)
        if key is not None:
            register_secret(key.text())  # masked, should it ever reach a log line
        return LocalStore.open(path, key)
    except StoreLockedError as exc:
        raise shut_store_error(exc, data_dir) from None


def shut_store_error(exc: StoreLockedError, data_dir: Path) -> DoorError:
    """Why a store stays shut, in the door's words."""
    if exc.reason == Locked.NO_KEY:
        return DoorError(Problem.STORE_NO_KEY, folder=data_dir)
    if exc.reason == Locked.WRONG_KEY:
        return DoorError(Problem.STORE_WRONG_KEY, file=exc.path)
    if exc.reason == Locked.NO_SQLCIPHER:
        return DoorError(Problem.STORE_NO_SQLCIPHER, why=exc.why)
    return DoorError(Problem.STORE_NOT_A_DATABASE, file=exc.path)


def encrypt_door(data_dir: Path) -> str:
    """Make the door in ``data_dir`` an encrypted one: a new random key in the keyring
    (or the user-only file), and every store of the folder SQLCipher's from now on.
    Where the key went. Refused where plain stores already hold guests: they would
    no longer open, and are not converted."""
    if store_encryption(data_dir) is None and any((data_dir / "events").glob("*/*.sqlite3")):
        raise DoorError(Problem.CANNOT_ENCRYPT, folder=data_dir)
    try:
        load_store_key(data_dir)  # an encrypted folder whose key is gone is not set up anew
    except StoreLockedError as exc:
        raise shut_store_error(exc, data_dir) from None
    return encrypt_stores(data_dir).vault


def open_door(data_dir: Path, given: GivenLogin | None = None) -> DoorSession:
    """The door of the login given, or of the one saved in ``data_dir``."""
    if given is not None:
        return DoorSession(data_dir, server=given.server, event_id=given.event_id,
                           station=given.station, app_code=given.app_code,
                           device_id=None)  # fmt: skip
    door = saved_door(data_dir)
    if door is None:
        raise DoorError(Problem.NOT_LOGGED_IN, folder=data_dir)
    return door


def is_pairing_code(text: str) -> bool:
    """Whether a scanned code is another door's pairing code, not a ticket."""
    from doorcheck.peers import PAIRING_PREFIX

    return text.startswith(PAIRING_PREFIX)


def pair_new_door(
    data_dir: Path, code: str, *, encrypt: bool = False
) -> tuple[DoorSession, tuple[str, ...]]:
    """A door started from another door's pairing code, with no server to ask: it
    logs in as the pairing door's station (saved, not checked: there may be no
    internet) and holds the mesh secret; its guest list comes from that door
    (docs/peers.md). Returns the door and where the pairing door listens."""
    from doorcheck.peers.trust import Pairing, TrustError

    try:
        pairing = Pairing.parse(code)
    except TrustError as exc:
        raise DoorError(Problem.BAD_PAIRING, why=str(exc)) from exc
    if pairing.login is None:
        raise DoorError(Problem.BAD_PAIRING, why="it carries no station login; log in first")
    if encrypt:
        encrypt_door(data_dir)
    login = save_login(data_dir, pairing.login.server, pairing.event_id, pairing.login.station,
                       pairing.login.app_code)  # fmt: skip
    door = DoorSession.of_login(data_dir, login, pairing.login.app_code)
    door.save_mesh_secret(pairing.secret.text())
    door.remember_addresses(pairing.addresses)
    return door, pairing.addresses


def saved_door(data_dir: Path) -> DoorSession | None:
    """The door of the login saved in ``data_dir``, or None if there is none."""
    saved = load_login(data_dir)
    return DoorSession.of_login(data_dir, *saved) if saved is not None else None


def saved_event(data_dir: Path) -> str | None:
    """The saved login's event, if there is one."""
    saved = load_login(data_dir)
    return saved[0].event_id if saved else None


def wipe_event_data(data_dir: Path, event_id: str, *, force: bool = False) -> int:
    """Delete this laptop's copy of an event (guests, changes, scans): the files
    removed. Refused while changes made here wait for the server, unless ``force``."""
    from doorcheck.services.privacy import WipeRefusedError, wipe_event

    try:
        return wipe_event(data_dir, event_id, force=force)
    except WipeRefusedError as exc:
        raise DoorError(Problem.WIPE_REFUSED, why=str(exc)) from exc


def wipe_expired(data_dir: Path) -> list[str]:
    """The events whose wipe time has come, wiped: their IDs."""
    from doorcheck.services.privacy import wipe_expired as wipe

    return wipe(data_dir)


__all__ = [
    "SHOWN_CHANGES",
    "DoorSession",
    "encrypt_door",
    "open_door",
    "open_store",
    "saved_door",
    "saved_event",
    "wipe_event_data",
    "wipe_expired",
]
