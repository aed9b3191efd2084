"""The reference station server and its administration (events, stations, guests, tickets)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from doorcheck.commands.common import (
    CommandError,
    server_db_url,
)
from doorcheck.domain.occupancy import ZonePlan


def cmd_serve(args: argparse.Namespace) -> int:
    from doorcheck.server.serve import ServeOptions, open_repository, serve

    db_url = server_db_url(args, temporary=args.demo)
    extra: dict[str, str] = {}
    details: list[str] = []
    if args.demo:
        from doorcheck.server.demo import create_demo_event

        repository = open_repository(db_url)
        event_id, codes, _ = create_demo_event(repository, guests=args.guests)
        repository.engine.dispose()
        extra = {
            "eventId": event_id,
            "apiKey": codes["Main Entrance"],
            "stationName": "Main Entrance",
        }
        details = [f"  {name:<14} App Code {code}" for name, code in codes.items()]

    def on_listening(url: str) -> None:
        if args.json:
            sys.stdout.write(json.dumps({"url": url, **extra}) + "\n")
        else:
            print(f"doorcheck station server on {url}  (Ctrl+C stops it)")
            if args.demo:
                print(f"Demo event ID {extra['eventId']}; stations:")
                print("\n".join(details))
                print(
                    f"Log in:  doorcheck login --server {url} --event {extra['eventId']} "
                    f"--key {extra['apiKey']} --station 'Main Entrance'"
                )
        sys.stdout.flush()

    options = ServeOptions(
        db_url=db_url,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info" if args.verbose else "warning",
        trusted_proxies=tuple(args.trusted_proxy),
    )
    if args.token_lifetime:
        options.token_lifetime = timedelta(seconds=args.token_lifetime)
    serve(options, on_listening)
    return 0


def _admin_repository(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from doorcheck.server.serve import open_repository

    return open_repository(server_db_url(args))


def cmd_admin_create_event(args: argparse.Namespace) -> int:
    from doorcheck.domain.timeutil import parse_datetime

    repo = _admin_repository(args)
    event_id = repo.create_event(
        args.name,
        company=args.company,
        event_id=args.id,
        start=parse_datetime(args.start),
        end=parse_datetime(args.end),
    )
    print(event_id)
    return 0


def cmd_admin_create_station(args: argparse.Namespace) -> int:
    from doorcheck.protocol.wire import StationMode
    from doorcheck.server.tickets import qr_image, setup_payload

    repo = _admin_repository(args)
    try:
        station = repo.create_station(
            args.event,
            args.name,
            app_code=args.app_code,
            mode=StationMode(args.mode),
            segment=args.segment,
            min_search_length=args.min_search,
            max_devices=args.max_devices,
            show_all_guests=not args.only_searched,
            access_code_pattern=args.pattern,
        )
    except KeyError as exc:
        raise CommandError(f"event {args.event} does not exist") from exc
    _print_station(station.event_id, station.name, station.app_code, args.url)
    if station.weakness:
        print(f"Warning: {station.weakness}", file=sys.stderr)
    if args.qr:
        qr_image(setup_payload(args.url, station.event_id, station.app_code, station.name)).save(
            args.qr
        )
        print(f"Setup QR code:   {args.qr}")
    return 0


def cmd_admin_zone(args: argparse.Namespace) -> int:
    """Change one zone of the event's plan; the doors take it at their next login."""
    from doorcheck.domain.occupancy import PlanError, Zone, ZonePlan, capacity_of, zone_name

    repo = _admin_repository(args)
    try:
        plan = repo.zone_plan(args.event)
        zones = list(plan.zones)
        capacity = plan.capacity
        if args.event_capacity is not None:
            capacity = capacity_of(args.event_capacity)
        if args.name is not None:
            name = zone_name(args.name)
            stations = tuple(zone_name(s) for s in args.station)
            others = [z for z in zones if z.name != name]
            if not args.remove:
                old = next((z for z in zones if z.name == name), None)
                # A station is in one zone: named here, it leaves any other.
                others = [
                    Zone(z.name, z.capacity, tuple(s for s in z.stations if s not in stations))
                    for z in others
                ]
                kept = old.stations if old and not stations else stations
                cap = capacity_of(args.capacity) if args.capacity is not None else None
                others.append(Zone(name, cap if cap else (old.capacity if old else None), kept))
            zones = others
        new = ZonePlan.from_json(ZonePlan(tuple(zones), capacity).to_json())
        repo.set_zone_plan(args.event, new)
    except PlanError as exc:
        raise CommandError(str(exc)) from exc
    except KeyError as exc:
        raise CommandError(f"event {args.event} does not exist") from exc
    _print_plan(new)
    return 0


def cmd_admin_attention(args: argparse.Namespace) -> int:
    """Set a station's attention rules and tag fields; the doors take them at their
    next login (docs/protocol.md, the door's answer)."""
    from doorcheck.domain.attention import AnswerRules

    repo = _admin_repository(args)
    raw: dict[str, object] = {}
    if not args.clear:
        raw = {"attention": [{"field": f, "value": v, "text": t} for f, v, t in args.rule],
               "tagFields": list(args.tag_field)}  # fmt: skip
    rules = AnswerRules.from_configuration(raw)
    if rules.refused:  # what a door would ignore is refused here, in words
        raise CommandError("; ".join(rules.refused))
    try:
        repo.set_answer_rules(args.event, args.station, rules)
    except KeyError as exc:
        raise CommandError(f"no station {args.station!r} in event {args.event}") from exc
    for rule in rules.rules:
        print(f"{rule.field} = {rule.value}: {rule.text}")
    print(f"Tags from: {', '.join(rules.tag_fields) or 'every custom field holding a list'}")
    return 0


def _print_plan(plan: ZonePlan) -> None:
    for zone in plan.zones:
        capacity = f"capacity {zone.capacity:,}" if zone.capacity else "no capacity"
        print(f"{zone.name}: {', '.join(zone.stations) or 'no stations'} ({capacity})")
    if plan.capacity:
        print(f"In all: capacity {plan.capacity:,}")


def _print_station(event_id: str, name: str, app_code: str, url: str) -> None:
    print(f"Server URL:      {url}")
    print(f"Event ID:        {event_id}")
    print(f"Station name:    {name}")
    print(f"App Code:        {app_code}   (shown once; stored hashed)")


def cmd_admin_station_qr(args: argparse.Namespace) -> int:
    from doorcheck.server.tickets import qr_image, setup_payload

    _print_station(args.event, args.name, args.app_code, args.url)
    qr_image(setup_payload(args.url, args.event, args.app_code, args.name)).save(args.out)
    print(f"Setup QR code:   {args.out}")
    return 0


CSV_COLUMNS = {
    "accesscode": "accessCode",
    "code": "accessCode",
    "firstname": "firstName",
    "lastname": "lastName",
    "company": "company",
    "email": "email",
    "salutation": "salutation",
    "notes": "notes",
    "segment": "segment",
    "registrationstate": "registrationState",
    "highlightcolor": "highlightColor",
    "id": "id",
    "parentid": "parentId",
}


def cmd_admin_import(args: argparse.Namespace) -> int:
    from doorcheck.domain.guest import RegistrationState
    from doorcheck.server.limits import InputError
    from doorcheck.server.repository import GuestInput

    repo = _admin_repository(args)
    if repo.event_summary(args.event) is None:
        raise CommandError(f"event {args.event} does not exist")
    try:
        handle = Path(args.csv).open(encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"cannot read {args.csv}: {exc.strerror}") from exc
    with handle:
        try:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
            except csv.Error:
                dialect = csv.excel
            new: list[GuestInput] = []
            seen: set[str] = set()
            for line, raw in enumerate(csv.DictReader(handle, dialect=dialect), start=2):
                fields: dict[str, object] = {}
                known: dict[str, str] = {}
                for column, value in raw.items():
                    if column is None:
                        continue
                    key = CSV_COLUMNS.get(column.strip().replace("_", "").replace(" ", "").lower())
                    text = (value or "").strip()
                    if key in (
                        "accessCode",
                        "segment",
                        "registrationState",
                        "highlightColor",
                        "id",
                        "parentId",
                    ):
                        known[key] = text
                    elif text:
                        fields[key or column.strip()] = text
                code = known.get("accessCode") or None
                if code and code in seen:
                    raise CommandError(f"line {line}: access code {code!r} appears twice")
                if code:
                    seen.add(code)
                guest = GuestInput(
                    fields=fields,
                    access_code=code,
                    registration_state=RegistrationState.parse(
                        known.get("registrationState") or "registered"
                    ),
                    highlight_color=known.get("highlightColor") or None,
                    segments=[known["segment"]] if known.get("segment") else [],
                    parent_id=known.get("parentId") or None,
                )
                if known.get("id"):
                    guest.id = known["id"]
                try:
                    guest.check()
                except InputError as exc:
                    raise CommandError(f"line {line}: {exc}") from None
                new.append(guest)
        except UnicodeDecodeError:
            raise CommandError(f"{args.csv} is not UTF-8 text") from None
        except csv.Error as exc:
            raise CommandError(f"{args.csv} is not a readable CSV file: {exc}") from None
    count = repo.add_guests(args.event, new)
    print(f"Imported {count} guests into event {args.event}.")
    return 0


def _admin_guest_op(args: argparse.Namespace, op: Callable[..., bool], label: str) -> int:
    repo = _admin_repository(args)
    guest_id = repo.find_guest_id(args.event, args.guest)
    if guest_id is None:
        raise CommandError(f"no guest {args.guest!r} in event {args.event}")
    if not op(repo, args.event, guest_id):
        raise CommandError(f"guest {args.guest!r} was already {label}")
    print(f"Guest {args.guest} {label}.")
    return 0


def cmd_admin_delete(args: argparse.Namespace) -> int:
    return _admin_guest_op(args, lambda r, e, g: r.delete_guest(e, g), "deleted")


def cmd_admin_deregister(args: argparse.Namespace) -> int:
    from doorcheck.domain.guest import RegistrationState

    return _admin_guest_op(
        args,
        lambda r, e, g: r.set_registration(e, g, RegistrationState.DEREGISTERED),
        "deregistered",
    )


def cmd_admin_reel(args: argparse.Namespace) -> int:
    from doorcheck.scan.synthetic import ticket_reel

    repo = _admin_repository(args)
    if repo.event_summary(args.event) is None:
        raise CommandError(f"event {args.event} does not exist")
    codes = [g.access_code for g in repo.guests_for_tickets(args.event) if g.access_code]
    ticket_reel(codes[: args.limit], str(args.out))
    print(f"Wrote a reel of {min(len(codes), args.limit)} tickets to {args.out}.")
    return 0


def cmd_admin_tickets(args: argparse.Namespace) -> int:
    from doorcheck.server.tickets import write_tickets

    repo = _admin_repository(args)
    summary = repo.event_summary(args.event)
    if summary is None:
        raise CommandError(f"event {args.event} does not exist")
    guests = repo.guests_for_tickets(args.event)
    if args.limit:
        guests = guests[: args.limit]
    written = write_tickets(guests, summary["name"], Path(args.out))
    print(f"Wrote {len(written)} files to {args.out}.")
    return 0


def cmd_admin_calibration(args: argparse.Namespace) -> int:
    """The sheet a USB scanner reads once so the kiosk learns the keyboard layout."""
    from doorcheck.scan.calibration import write_calibration_sheet

    path = write_calibration_sheet(Path(args.out))
    print(f"Wrote {path}. Print it (or show it on a screen) and scan it with the USB scanner")
    print("while the kiosk is open: the kiosk then corrects for the keyboard layout.")
    return 0
