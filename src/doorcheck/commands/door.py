"""Commands of a headless door: log in, sync, check in and out, status, wipe."""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import datetime

from doorcheck.commands.common import (
    CommandError,
    Door,
    kiosk_data_dir,
    local_time,
    open_door,
    plural,
)
from doorcheck.paths import store_path

# The workers as `doorcheck status` names them (sync.health.WORKERS).
WORKER_NAMES = {"sync": "Sync", "source": "Guest list", "forward": "Event Cadence",
                "count": "Counting"}  # fmt: skip


def cmd_login(args: argparse.Namespace) -> int:
    from doorcheck.store.credentials import load_login, save_login, save_session_token
    from doorcheck.sync.engine import measure_skew

    if args.source == "xing":
        return _login_xing(args)
    if args.source == "eventbrite":
        return _login_eventbrite(args)
    if args.source == "eventbrite-legacy":
        return _login_eventbrite_legacy(args)
    if not all([args.server, args.event, args.key, args.station]):
        raise CommandError("login needs --server, --event, --key and --station")
    door = open_door(args)
    try:
        # The same laptop keeps its device ID, so logging in again replaces its own
        # session instead of taking another place under the station's device limit.
        earlier = load_login(door.data_dir)
        device_id = earlier[0].device_id if earlier else str(uuid.uuid4())
        door.client.device_id = device_id
        result = door.client.login()
        saved = save_login(
            door.data_dir, args.server, args.event, result.station_name, args.key, device_id
        )
        save_session_token(door.data_dir, saved, result.session_token)
        door.take_station_from_login()
        measure_skew(door.store, door.client)
    finally:
        door.close()
    config = result.event.configuration
    print(
        f"Logged in to {result.event.name!r} (event {result.event.id}) "
        f"as station {result.station_name!r}, mode {config.mode.value}."
    )
    return 0


def _login_xing(args: argparse.Namespace) -> int:
    """XING Events: the feed's URL and the API key (kept like an App Code); --event
    limits the door to one event's tickets."""
    from doorcheck.store.credentials import save_login
    from doorcheck.sync.sources import XING, XING2

    if not (args.server and args.key):
        raise CommandError("a XING Events login needs --server (the API's URL) and --key")
    station = args.station or "Main Entrance"
    prefix = XING2 if args.v2 else XING
    save_login(kiosk_data_dir(args), prefix + args.server, args.event or "", station, args.key)
    print(f"Saved the XING Events login for station {station!r}; "
          "`doorcheck sync` loads the guests.")  # fmt: skip
    return 0


def _login_eventbrite(args: argparse.Namespace) -> int:
    """Eventbrite: the private token and the event (see `doorcheck eventbrite-events`)."""
    from doorcheck.connectors.eventbrite import DEFAULT_URL
    from doorcheck.store.credentials import save_login
    from doorcheck.sync.sources import EVENTBRITE

    if not (args.key and args.event):
        raise CommandError("an Eventbrite login needs --key (the private token) and --event")
    station = args.station or "Main Entrance"
    server = EVENTBRITE + (args.server or DEFAULT_URL)
    save_login(kiosk_data_dir(args), server, args.event, station, args.key)
    print(f"Saved the Eventbrite login for event {args.event}, station {station!r}; "
          "`doorcheck sync` loads the attendees.")  # fmt: skip
    return 0


def _login_eventbrite_legacy(args: argparse.Namespace) -> int:
    """Eventbrite's legacy XML API: the application key, the user key, the event."""
    from doorcheck.connectors.eventbrite_legacy import DEFAULT_URL
    from doorcheck.store.credentials import save_login
    from doorcheck.sync.sources import EVENTBRITE_LEGACY

    if not (args.app_key and args.key and args.event):
        raise CommandError("the legacy Eventbrite API needs --app-key, --key (user key), --event")
    station = args.station or "Main Entrance"
    server = EVENTBRITE_LEGACY + (args.server or DEFAULT_URL)
    save_login(kiosk_data_dir(args), server, args.event, station, f"{args.app_key}\n{args.key}")
    print(f"Saved the legacy Eventbrite login for event {args.event}, station {station!r}.")
    return 0


def cmd_eventbrite_events(args: argparse.Namespace) -> int:
    """The organization's live and upcoming events, to pick the one for the door."""
    from doorcheck.connectors.eventbrite import (
        DEFAULT_URL,
        EventbriteConnector,
        EventbriteSettings,
    )
    from doorcheck.sync.connector import SourceError

    connector = EventbriteConnector(EventbriteSettings(args.key, "", args.server or DEFAULT_URL))
    try:
        events = connector.events(args.organization)
    except SourceError as exc:
        raise CommandError(exc.words) from exc
    finally:
        connector.close()
    for event in events:
        print(f"{event.id}  {event.start:<20}  {event.status:<8}  {event.name}")
    if not events:
        print("No live or upcoming events in this organization.")
    return 0


def _sync_source(door: Door) -> int:
    """One round with a source other than a station: news from the source in,
    this door's changes applied to its own copy."""
    from doorcheck.sync.source_sync import SourceSync
    from doorcheck.sync.sources import connector_for, is_remote

    assert door.saved is not None
    connector = connector_for(door.saved, door.client.credentials.app_code)
    assert connector is not None
    engine = SourceSync(door.store, connector, remote=is_remote(door.saved.server))
    report = engine.run_once()
    if report is None:
        raise CommandError(engine.status.last_error or "the guest source failed")
    status = door.store.status()
    print(f"Synced from {connector.name}: {plural(report.guests_received, 'guest')} received; "
          f"{status.checked_in} of {status.guests} guests checked in.")  # fmt: skip
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from doorcheck.sync.engine import sync_once

    if args.watch:
        return _watch(args)
    if args.source:  # log into that source first, then sync from it
        cmd_login(args)
        args.server = args.event = args.key = args.station = None  # the saved login now
    door = open_door(args)
    if door.source != "station":
        try:
            return _sync_source(door)
        finally:
            door.close()
    try:
        if door.client.session_token is None:
            # Who the station is comes first: its name picks the file synced into.
            door.client.login()
            door.take_station_from_login()
        report = sync_once(door.store, door.client, door.writer)
        door.take_station_from_login()  # a renewed session may bring a changed mode
        door.remember_session()
        status = door.store.status()
    finally:
        door.close()
    kind = "full list" if report.full else "changes"
    print(
        f"Synced ({kind}): {plural(report.guests_received, 'guest')} received, "
        f"{plural(report.uploaded, 'change')} uploaded ({plural(report.conflicts, 'conflict')}, "
        f"{report.rejected} rejected); {status.checked_in} of {status.guests} guests checked in."
    )
    return 0


def _watch(args: argparse.Namespace) -> int:
    """Keep the door in step until Ctrl+C: the sync engine's thread, its states shown."""
    from doorcheck.sync.engine import SyncReport, SyncStatus
    from doorcheck.sync.health import WorkerHealth

    door = open_door(args)
    shown: list[bool | None] = [None]

    def on_status(status: SyncStatus) -> None:
        if status.online != shown[0]:
            shown[0] = status.online
            when = datetime.now().strftime("%H:%M:%S")
            if status.online:
                print(f"{when} online", flush=True)
            else:
                print(f"{when} OFFLINE: {status.last_error} (the door works on)", flush=True)

    def on_report(report: SyncReport) -> None:
        if report.guests_received or report.uploaded:
            when = datetime.now().strftime("%H:%M:%S")
            print(
                f"{when} {plural(report.guests_received, 'guest')} received, "
                f"{plural(report.uploaded, 'change')} uploaded",
                flush=True,
            )

    failing: list[bool] = [False]

    def on_health(health: WorkerHealth) -> None:
        when = datetime.now().strftime("%H:%M:%S")
        was_failing, failing[0] = failing[0], health.failing is not None
        if health.failing is None:
            if was_failing:
                print(f"{when} sync works again", flush=True)
        else:
            state = "STOPPED" if health.stopped else "FAILING"
            print(f"{when} {state}: {health.failing}", flush=True)

    # The window's worker for this door: a spreadsheet's list is followed, not a server.
    engine = door.sync_worker(interval=args.interval, on_status=on_status,
                              on_health=on_health, on_report=on_report)  # fmt: skip
    engine.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
        door.remember_session()
        door.close()
    return 0


def _check(args: argparse.Namespace, requested_action: str) -> int:
    from sqlalchemy.exc import OperationalError

    from doorcheck.domain.changes import Action
    from doorcheck.station.errors import StationError
    from doorcheck.sync.engine import push_pending
    from doorcheck.sync.health import is_disk_full

    door = open_door(args)
    try:
        service = door.service()  # first: it may ask the server who this station is
        if door.store.get_state("cursor") is None:
            raise CommandError("no guest list yet: run 'doorcheck sync' first")
        outcome = service.scan(args.code, "manual", Action(requested_action))
        if outcome.code is None:
            raise CommandError(f"not a valid ticket code: {outcome.problem}")
        label = outcome.verdict.kind.name.replace("_", " ")
        if not outcome.nonces:
            print(f"{label}: {outcome.headline}")
            return 1
        try:
            push_pending(door.store, door.writer)
            upload = "uploaded" if door.source == "station" else "recorded"
        except StationError as exc:
            upload = f"queued, will upload later ({exc.message})"
        except OperationalError as exc:
            if not is_disk_full(exc):
                raise
            # The verdict is on disk; only the upload's answer could not be written.
            upload = "queued, will upload later (the laptop's disk is full)"
        door.remember_session()
    finally:
        door.close()
    print(f"{label}: {outcome.headline} [{upload}]")
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    return _check(args, "checkIn")


def cmd_checkout(args: argparse.Namespace) -> int:
    return _check(args, "checkOut")


def cmd_status(args: argparse.Namespace) -> int:
    from doorcheck.station.wire import rejection_words
    from doorcheck.sync.health import stored_failures

    door = open_door(args)
    try:
        status = door.store.status()
        failures = stored_failures(door.store)
        event = json.loads(door.store.get_state("event") or "{}")
        changes = (
            door.store.changes(("pending", "sent", "conflict", "rejected")) if args.changes else []
        )
        online = None if args.local or door.source != "station" else _probe_online(door)
        source = (
            door.client.base_url.removeprefix("file:") if door.source == "spreadsheet" else None
        )
    finally:
        door.close()
    if args.json:
        payload = status.__dict__ | {
            "event": event.get("name"),
            "station": door.station,
            "online": online,
            "failing": {f.worker: {"reason": f.reason, "stopped": f.stopped, "since": f.since}
                        for f in failures},
        }  # fmt: skip
        if args.changes:
            payload["changes"] = [c.__dict__ for c in changes]
        print(json.dumps(payload))
        return 0
    print(f"Event:           {event.get('name', '?')} ({event.get('id', '?')})")
    print(f"Station:         {door.station}")
    if source is not None:
        print(f"Guest list:      {source} (no server: check-ins stay here; export them)")
    if online is not None:
        reach = "online" if online else "OFFLINE (the door works on; changes wait)"
        print(f"Server:          {reach}")
    print(f"Guests:          {status.guests}")
    print(f"Checked in:      {status.checked_in} of {status.guests}")
    if door.source == "station":  # only a station takes uploads
        print(f"Waiting uploads: {status.pending}")
        print(f"Conflicts:       {status.conflicts}")
        print(f"Rejected:        {status.rejected}")
    print(f"Last sync:       {local_time(status.last_sync)}")
    if status.unreadable:
        print(f"Unreadable:      {status.unreadable} guests could not be read (set aside, logged)")
    if status.last_error:
        print(f"Last error:      {status.last_error}")
    for failure in failures:  # written by the window's or `sync --watch`'s workers
        state = "stopped" if failure.stopped else "failing"
        print(f"{WORKER_NAMES[failure.worker] + ':':<17}{state}: {failure.reason} "
              f"(since {local_time(failure.since)})")  # fmt: skip
    skew = status.clock_skew_seconds
    if skew is not None and abs(skew) > 60:
        ahead = "ahead of" if skew > 0 else "behind"
        print(f"Clock:           this laptop is {abs(skew) / 60:.0f} min {ahead} the server")
    for change in changes:
        note = rejection_words(change.code, change.message) or change.last_error or ""
        print(
            f"  {change.state:<9} {change.action:<9} {change.guest_name:<30} "
            f"{local_time(change.door_time)}  {note}"
        )
    return 0


def _probe_online(door: Door) -> bool:
    """Online means the server answers now; one login, with short timeouts, tells."""
    import httpx

    from doorcheck.station.errors import StationError, TransportError

    door.client.timeout = httpx.Timeout(3.0)
    try:
        door.client.login()
    except TransportError:
        return False
    except StationError:
        return True  # it answered, if only to refuse
    door.remember_session()
    return True


def cmd_wipe(args: argparse.Namespace) -> int:
    """Delete this laptop's copy of an event's guests, changes and scans."""
    from doorcheck.services.privacy import WIPE_AFTER_DAYS, WipeRefusedError, wipe_event
    from doorcheck.store.credentials import load_login
    from doorcheck.store.local import LocalStore

    data_dir = kiosk_data_dir(args)
    saved = load_login(data_dir)
    event_id = args.event or (saved[0].event_id if saved else None)
    if event_id is None:
        raise CommandError("which event? give --event ID (no saved login)")
    if args.after_days is not None:
        if saved is None or saved[0].event_id != event_id:
            raise CommandError("--after-days applies to the saved login's event")
        store = LocalStore.open(store_path(data_dir, event_id, saved[0].station_name))
        try:
            store.set_setting(WIPE_AFTER_DAYS, str(args.after_days))
        finally:
            store.close()
        print(f"Event {event_id} will be wiped {args.after_days:g} days after it ends.")
        return 0
    try:
        removed = wipe_event(data_dir, event_id, force=args.force)
    except WipeRefusedError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Wiped event {event_id}: {removed} files removed.")
    return 0
