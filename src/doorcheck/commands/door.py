"""Commands of a headless door: log in, sync, check in and out, status, wipe."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from doorcheck.commands.common import (
    CommandError,
    kiosk_data_dir,
    local_time,
    open_door,
    plural,
    report_wiped,
    require_supervisor,
    verdict_line,
)
from doorcheck.domain.occupancy import Fill
from doorcheck.session.errors import DoorError

if TYPE_CHECKING:
    from collections.abc import Callable

    from doorcheck.services.checkin import CheckInService
    from doorcheck.session.door import DoorSession
    from doorcheck.session.login import LoggedIn, LoginRequest
    from doorcheck.session.results import CheckSummary, DoorReport, SyncSummary

# Where an encrypted door's key is kept (DoorReport.key_vault), as `doorcheck status` says it.
KEPT = {
    None: "not encrypted",
    "keyring": "encrypted (SQLCipher), its key in the OS keyring",
    "file": "encrypted (SQLCipher), its key in the data folder's user-only secret file",
    "unknown": "encrypted (SQLCipher), its settings unreadable",
}

# The workers as `doorcheck status` names them (sync.health.WORKERS).
WORKER_NAMES = {"sync": "Sync", "source": "Guest list", "forward": "Event Cadence",
                "count": "Counting"}  # fmt: skip


def login_request(args: argparse.Namespace) -> LoginRequest:
    from doorcheck.session.login import LoginRequest

    return LoginRequest(
        source=args.source or "station", server=args.server or "", key=args.key or "",
        station=args.station or "", event=args.event or "",
        app_key=getattr(args, "app_key", None) or "", xing_version=2 if args.v2 else 1,
        encrypt=getattr(args, "encrypt", False),
    )  # fmt: skip


def cmd_login(args: argparse.Namespace) -> int:
    from doorcheck.session.login import log_in

    data_dir = kiosk_data_dir(args)
    report_wiped(data_dir)
    print_logged_in(log_in(data_dir, login_request(args)))
    return 0


def print_logged_in(done: LoggedIn) -> None:
    if done.source == "station":
        print(f"Logged in to {done.event_name!r} (event {done.event_id}) "
              f"as station {done.station!r}, mode {done.mode}.")  # fmt: skip
    elif done.source == "xing":
        print(f"Saved the XING Events login for station {done.station!r}; "
              "`doorcheck sync` loads the guests.")  # fmt: skip
    elif done.source == "eventbrite":
        print(f"Saved the Eventbrite login for event {done.event_id}, station {done.station!r}; "
              "`doorcheck sync` loads the attendees.")  # fmt: skip
    else:
        print(f"Saved the legacy Eventbrite login for event {done.event_id}, "
              f"station {done.station!r}.")  # fmt: skip


def cmd_eventbrite_events(args: argparse.Namespace) -> int:
    """The organization's live and upcoming events, to pick the one for the door."""
    from doorcheck.connectors.base import SourceError
    from doorcheck.connectors.eventbrite import (
        DEFAULT_URL,
        EventbriteConnector,
        EventbriteSettings,
    )

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


def cmd_sync(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    if args.source:  # log into that source first, then sync from it
        cmd_login(args)
        args.server = args.event = args.key = args.station = None  # the saved login now
    with open_door(args) as door:
        print_sync(door.sync_once())
    return 0


def print_sync(done: SyncSummary) -> None:
    if done.source != "station":
        print(f"Synced from {done.source}: {plural(done.guests_received, 'guest')} received; "
              f"{done.checked_in} of {done.guests} guests checked in.")  # fmt: skip
        return
    kind = "full list" if done.full else "changes"
    print(
        f"Synced ({kind}): {plural(done.guests_received, 'guest')} received, "
        f"{plural(done.uploaded, 'change')} uploaded ({plural(done.conflicts, 'conflict')}, "
        f"{done.rejected} rejected); {done.checked_in} of {done.guests} guests checked in."
    )


def _watch(args: argparse.Namespace) -> int:
    """Keep the door in step until Ctrl+C: the sync engine's thread, its states shown."""
    from doorcheck.sync.health import WorkerHealth
    from doorcheck.sync.station_sync import SyncReport
    from doorcheck.views import SyncStatus

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
    node = None
    engine.start()
    service = door.service(ask=False)
    try:
        if not args.no_peers:
            node = _join_peers(args, door, engine.nudge, service)
        while True:  # a door started after the time set checks out at once
            _daily_check_out(door, service)
            time.sleep(CHECK_OUT_LOOK_SECONDS)
    except KeyboardInterrupt:
        pass
    finally:
        if node is not None:
            node.stop()
        engine.stop()
        door.remember_session()
        door.close()
    return 0


# How often a watching door looks whether its daily check-out is due: at most this
# late after the time set.
CHECK_OUT_LOOK_SECONDS = 10.0


def _daily_check_out(door: DoorSession, service: CheckInService) -> None:
    try:
        count = door.check_out_if_due(service)
    except DoorError as exc:
        print(f"{datetime.now():%H:%M:%S} daily check-out not done: {exc.words}", flush=True)
        return
    if count is not None:
        print(f"{datetime.now():%H:%M:%S} daily check-out: {plural(count, 'guest')} "
              "checked out", flush=True)  # fmt: skip


def _join_peers(
    args: argparse.Namespace,
    door: DoorSession,
    upload: Callable[[], None],
    service: CheckInService,
) -> Any:
    """A headless door is a full door of the mesh (docs/peers.md): what it learns from
    the other doors is uploaded when the server answers."""
    from doorcheck.peers.node import DEFAULT_PORT

    if door.mesh_secret_text() is None:
        print("Doors nearby:   not joined (no mesh secret: log in again, or 'doorcheck pair')",
              flush=True)  # fmt: skip
        return None
    listen = _listen_address(args.listen, DEFAULT_PORT)

    def on_learned(count: int) -> None:
        when = datetime.now().strftime("%H:%M:%S")
        print(f"{when} {plural(count, 'change')} learned from other doors", flush=True)
        upload()

    try:
        node = door.join_mesh(service, listen=listen, addresses=args.peer,
                              on_learned=on_learned, discover=not args.no_discovery)  # fmt: skip
    except DoorError:
        if args.listen:
            raise  # the port asked for: say why it cannot be had
        # The usual port is taken (another door on this laptop): any free one will
        # do, the other doors learn it from the doors they reach, or discovery.
        node = door.join_mesh(service, listen=(listen[0], 0), addresses=args.peer,
                              on_learned=on_learned, discover=not args.no_discovery)  # fmt: skip
    print(f"Doors nearby:   listening on port {node.port}", flush=True)
    return node


def _listen_address(text: str | None, default_port: int) -> tuple[str, int]:
    if not text:
        return ("0.0.0.0", default_port)  # noqa: S104 - doors of a venue's LAN reach it
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise CommandError(f"--listen {text!r}: give a port, or a host and a port")
    return (host.strip("[]") or "0.0.0.0", int(port))  # noqa: S104


def cmd_pair(args: argparse.Namespace) -> int:
    """Print this door's pairing code, or take the mesh secret from another's; in a
    folder with no login, start a new door from the code (no server needed)."""
    from doorcheck.session.door import pair_new_door, saved_event

    data_dir = kiosk_data_dir(args)
    if args.code and saved_event(data_dir) is None:
        door, addresses = pair_new_door(data_dir, args.code, encrypt=args.encrypt)
        with door:
            print(
                f"A new door of event {door.event_id} as station '{door.station}'. Start "
                "it with 'doorcheck sync --watch': its guest list comes from the other doors."
            )
        for address in addresses:
            print(f"  the pairing door listens at {address} (give it with --peer)")
        return 0
    require_supervisor(args, "Pairing doors")  # the code carries the event's secret
    with open_door(args) as door:
        if args.code:
            addresses = door.pair(args.code)
            print("Paired: this door joins the event's other doors with 'doorcheck sync --watch'.")
            for address in addresses:
                print(f"  the pairing door listens at {address} (give it with --peer)")
            return 0
        print(door.pairing(args.at))
    return 0


def _check(args: argparse.Namespace, requested_action: str) -> int:
    from doorcheck.domain.changes import Action

    with open_door(args) as door:
        if getattr(args, "party", False):
            answers = [print_check(done) for done in door.check_in_party(args.code)]
            return answers[0]
        return print_check(door.check(args.code, Action(requested_action)))


def cmd_search(args: argparse.Namespace) -> int:
    """Guests by name, company, email or code, as the window's guest list finds them."""
    require_supervisor(args, "Searching the guest list")
    with open_door(args) as door:
        hits = door.search(args.text, args.limit)
    if args.json:
        print(json.dumps([
            {"id": hit.guest.id, "code": hit.guest.access_code, "name": hit.guest.display_name,
             "checkedIn": hit.guest.is_checked_in, "companionOf": hit.main_name}
            for hit in hits
        ]))  # fmt: skip
        return 0 if hits else 1
    for hit in hits:
        state = "in " if hit.guest.is_checked_in else "   "
        of = f"  (companion of {hit.main_name})" if hit.main_name else ""
        print(f"{state} {hit.guest.access_code or '-':<16} {hit.guest.display_name}{of}")
    if not hits:
        print("No guest found.")
    elif hits.broad:
        print(f"(the first {len(hits)}; type more to narrow it down)")
    return 0 if hits else 1


def print_check(done: CheckSummary) -> int:
    """The verdict in a line; 1 when nothing was recorded (a deny)."""
    if not done.recorded:
        print(verdict_line(done.outcome))
        return 1
    print(verdict_line(done.outcome, f" [{done.upload}]"))
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    return _check(args, "checkIn")


def cmd_checkout(args: argparse.Namespace) -> int:
    return _check(args, "checkOut")


def cmd_status(args: argparse.Namespace) -> int:
    with open_door(args) as door:
        report = door.report(changes=args.changes, probe=not args.local)
    print_status(report, as_json=args.json)
    return 0


def print_status(report: DoorReport, *, as_json: bool = False) -> None:
    from doorcheck.wording import change_note

    status, event = report.status, report.event
    if as_json:
        payload = status.__dict__ | {
            "event": event.get("name"),
            "station": report.station,
            "online": report.online,
            "failing": {f.worker: {"reason": f.reason, "stopped": f.stopped, "since": f.since}
                        for f in report.failures},
        }  # fmt: skip
        payload["doorId"] = report.door_id
        payload["occupancy"] = occupancy_json(report)
        payload["peers"] = [
            {"doorId": p.door_id, "station": p.station, "address": p.address,
             "lastHeard": p.last_heard.isoformat() if p.last_heard else None,
             "stale": p.stale, "held": p.held, "clockOffsetMs": p.clock_offset_ms,
             "problem": p.problem, "zone": p.zone.zone if p.zone else None}
            for p in report.peers
        ]  # fmt: skip
        payload["encrypted"] = report.key_vault is not None
        payload["keyVault"] = report.key_vault
        if report.changes is not None:
            payload["changes"] = [c.__dict__ for c in report.changes]
        print(json.dumps(payload))
        return
    print(f"Event:           {event.get('name', '?')} ({event.get('id', '?')})")
    print(f"Station:         {report.station}")
    print(f"Local data:      {KEPT[report.key_vault]}")
    if report.list_file is not None:
        print(f"Guest list:      {report.list_file} (no server: check-ins stay here; export them)")
    if report.online is not None:
        reach = "online" if report.online else "OFFLINE (the door works on; changes wait)"
        print(f"Server:          {reach}")
    print(f"Guests:          {status.guests}")
    print(f"Checked in:      {status.checked_in} of {status.guests}")
    if report.source == "station":  # only a station takes uploads
        print(f"Waiting uploads: {status.pending}")
        print(f"Conflicts:       {status.conflicts}")
        print(f"Rejected:        {status.rejected}")
    print(f"Last sync:       {local_time(status.last_sync)}")
    if status.unreadable:
        print(f"Unreadable:      {status.unreadable} guests could not be read (set aside, logged)")
    if status.last_error:
        print(f"Last error:      {status.last_error}")
    for failure in report.failures:  # written by the window's or `sync --watch`'s workers
        state = "stopped" if failure.stopped else "failing"
        print(f"{WORKER_NAMES[failure.worker] + ':':<17}{state}: {failure.reason} "
              f"(since {local_time(failure.since)})")  # fmt: skip
    skew = status.clock_skew_seconds
    if skew is not None and abs(skew) > 60:
        ahead = "ahead of" if skew > 0 else "behind"
        print(f"Clock:           this laptop is {abs(skew) / 60:.0f} min {ahead} the server")
    print_occupancy(report)
    print_peers(report)
    for change in report.changes or []:
        note = change_note(change)
        print(
            f"  {change.state:<9} {change.action:<9} {change.guest_name:<30} "
            f"{local_time(change.door_time)}  {note}"
        )


def occupancy_json(report: DoorReport) -> dict[str, object]:
    counted = report.occupancy
    return {
        "inside": counted.inside,
        "capacity": counted.capacity,
        "fill": counted.fill.name.lower(),
        "elsewhere": counted.elsewhere,
        "zones": [
            {"name": z.name, "inside": z.inside, "capacity": z.capacity,
             "fill": z.fill.name.lower(), "stations": list(z.stations)}
            for z in counted.zones
        ],
        "doorZone": report.door_zone.to_json() if report.door_zone else None,
        "checkOutAt": report.check_out_at,
    }  # fmt: skip


FILL_WORDS = {Fill.WARNING: "  WARNING: 80 % full", Fill.ALERT: "  ALERT: 95 % full"}


def print_occupancy(report: DoorReport) -> None:
    """Inside per zone and in all, with each zone's doors not heard from lately: their
    check-ins since are not in these figures."""
    counted = report.occupancy
    if not counted.zones and counted.capacity is None:
        return
    print(f"Inside now:      {_against(counted.inside, counted.capacity)}"
          f"{FILL_WORDS.get(counted.fill, '')}")  # fmt: skip
    stale = {p.station for p in report.peers if p.stale}
    for zone in counted.zones:
        behind = sorted(stale & set(zone.stations))
        late = f"  (not heard from lately: {', '.join(behind)})" if behind else ""
        print(f"  {zone.name:<24} {_against(zone.inside, zone.capacity)}"
              f"{FILL_WORDS.get(zone.fill, '')}{late}")  # fmt: skip
    if counted.elsewhere:
        print(f"  {'(no zone)':<24} {counted.elsewhere}")
    if report.door_zone is not None:
        print(f"This door:       in zone {report.door_zone.zone} (set here)")
    if report.check_out_at is not None:
        print(f"Daily check-out: everyone inside at {report.check_out_at}")


def _against(inside: int, capacity: int | None) -> str:
    if not capacity:
        return str(inside)
    return f"{inside} of {capacity} ({inside * 100 // capacity} %)"


def cmd_zone(args: argparse.Namespace) -> int:
    """Show who is inside per zone; or put this door's station in a zone."""
    if args.clear or args.name is not None:
        require_supervisor(args, "Setting this door's zone")
    with open_door(args) as door:
        if args.clear:
            door.set_door_zone(None)
        elif args.name is not None:
            door.set_door_zone(args.name, args.capacity)
        report = door.report(probe=False)
    if args.clear or args.name is not None:
        print("The other doors learn it when they next meet this one (their hello).")
    print_occupancy(report)
    if not report.occupancy.zones:
        print("No zones: set them at the server (doorcheck admin zone) or here "
              "(doorcheck zone NAME).")  # fmt: skip
    return 0


def cmd_checkout_all(args: argparse.Namespace) -> int:
    """Check out everyone inside now, or every day at a set time."""
    if args.now or args.off or args.at is not None:
        require_supervisor(args, "Checking everyone out")
    with open_door(args) as door:
        if args.now:
            count = door.check_out_everyone()
            print(f"Checked out {plural(count, 'guest')}.")
            return 0
        if args.off:
            door.set_check_out_time(None)
            print("No daily check-out.")
            return 0
        if args.at is not None:
            door.set_check_out_time(args.at)
        at = door.store.zones.check_out_time()
    if at is None:
        print("No daily check-out (set one with --at HH:MM).")
    else:
        print(f"Every day at {at.text()} (this laptop's time) this door checks out everyone "
              "inside, while the window or 'doorcheck sync --watch' runs.")  # fmt: skip
    return 0


def print_peers(report: DoorReport) -> None:
    if not report.peers:
        return
    nearby = sum(1 for p in report.peers if not p.stale)
    print(f"Doors nearby:    {nearby} of {plural(len(report.peers), 'door')} heard from lately")
    for peer in report.peers:
        heard = local_time(peer.last_heard.isoformat()) if peer.last_heard else "never"
        flag = "  NOT HEARD FROM FOR 30 s" if peer.stale else ""
        clock = ""
        if peer.clock_offset_ms is not None and abs(peer.clock_offset_ms) > 60_000:
            ahead = "ahead" if peer.clock_offset_ms > 0 else "behind"
            clock = f"; its clock is {abs(peer.clock_offset_ms) / 60_000:.0f} min {ahead}"
        problem = f"; last refused: {peer.problem}" if peer.problem else ""
        zone = f" [{peer.zone.zone}]" if peer.zone else ""
        print(f"  {peer.station + zone:<24} heard {heard}, {plural(peer.held, 'change')} of it "
              f"held here{clock}{problem}{flag}")  # fmt: skip


def cmd_wipe(args: argparse.Namespace) -> int:
    """Delete this laptop's copy of an event's guests, changes and scans."""
    from doorcheck.session.door import open_door as open_saved_door
    from doorcheck.session.door import saved_event, wipe_event_data

    data_dir = kiosk_data_dir(args)
    require_supervisor(args, "Wiping an event's data")
    event_id = args.event or saved_event(data_dir)
    if event_id is None:
        raise CommandError("which event? give --event ID (no saved login)")
    if args.after_days is not None:
        if saved_event(data_dir) != event_id:
            raise CommandError("--after-days applies to the saved login's event")
        with open_saved_door(data_dir) as door:
            door.set_wipe_after(args.after_days)
        print(f"Event {event_id} will be wiped {args.after_days:g} days after it ends.")
        return 0
    removed = wipe_event_data(data_dir, event_id, force=args.force)
    print(f"Wiped event {event_id}: {removed} files removed.")
    return 0
