"""Guest sources and destinations besides a station: spreadsheets in and out, Event Cadence."""

from __future__ import annotations

import argparse
from pathlib import Path

from doorcheck.commands.common import (
    CommandError,
    kiosk_data_dir,
    open_door,
    require_supervisor,
)


def cmd_forward(args: argparse.Namespace) -> int:
    """Event Cadence: set the destination up (with --url and --key), then push the
    profiles of this door's check-ins and walk-ins that are still waiting."""
    from doorcheck.connectors.eventcadence import CadenceSettings

    with open_door(args) as door:
        if args.url:
            if not args.cadence_key:
                raise CommandError("set Event Cadence up with both --url and --key")
            chosen = CadenceSettings(args.url, args.key_in, args.form, args.group or [])
            door.set_up_forwarding(chosen.to_json(), args.cadence_key)
        done = door.forward_once()
    print(f"Event Cadence: {done.sent} sent, {done.waiting} waiting, {done.held} held back.")
    for name, why in done.held_back:
        print(f"  held back: {name}: {why}")
    if done.problem:
        print(f"  {done.problem}")
    return 1 if done.blocked else 0


def cmd_import(args: argparse.Namespace) -> int:
    """A guest list from a CSV, XLSX or Eventbrite XML file, straight into this door
    (no server)."""
    from doorcheck.domain.verdict import Mode
    from doorcheck.session.login import import_list, read_list_file

    path = Path(args.file).resolve()
    mapping = tuple(args.map or ())
    found = read_list_file(path, mapping)
    if found.kind == "eventbrite-xml":
        print(f"{path.name}: {found.guests} tickets from Eventbrite's XML attendee list")
    else:
        print(f"{path.name}: {found.rows} rows"
              + (f", {found.encoding}" if found.encoding else "")
              + (f", separated by {found.delimiter!r}" if found.delimiter else ""))  # fmt: skip
        for name, column, header in found.columns:
            print(f"  {name:<11} <- column {column + 1} {header!r}")
        for problem in found.problems:
            print(f"  note: {problem}")
    if args.preview:
        for code, name, company in found.first:
            if found.kind == "eventbrite-xml":  # Eventbrite's barcodes are long
                print(f"  {code:<24} {name}".rstrip())
            else:
                print(f"  {code:<16} {name}  {company}".rstrip())
        print(f"{found.guests} guests would be loaded (preview: nothing was changed).")
        return 0
    # Read once to report; the import reads the file again, as the kiosk will.
    done = import_list(kiosk_data_dir(args), path, station=args.station, mode=Mode(args.mode),
                       mapping=mapping, encrypt=args.encrypt)  # fmt: skip
    print(f"Loaded {done.guests} guests into station {done.station!r}; open the kiosk with "
          "`doorcheck kiosk`.")  # fmt: skip
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Who came (and left) at this door, as CSV or XLSX."""
    require_supervisor(args, "Exporting check-ins")
    with open_door(args) as door:
        path, rows = door.export(Path(args.out))
    print(f"Wrote {rows} check-ins to {path}.")
    return 0
