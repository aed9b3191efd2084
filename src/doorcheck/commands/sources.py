"""Guest sources and destinations besides a station: spreadsheets in and out, Event Cadence."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from doorcheck.commands.common import (
    CommandError,
    kiosk_data_dir,
    open_door,
)
from doorcheck.paths import safe_name, store_path


def cmd_forward(args: argparse.Namespace) -> int:
    """Event Cadence: set the destination up (with --url and --key), then push the
    profiles of this door's check-ins and walk-ins that are still waiting."""
    from doorcheck.connectors.eventcadence import CadencePusher, CadenceSettings
    from doorcheck.store.credentials import load_named_secret, save_named_secret
    from doorcheck.sync.forwarder import SETTINGS_KEY, Forwarder, load_settings

    door = open_door(args)
    secret_name = f"eventcadence|{door.event_id}"
    try:
        if args.url:
            if not args.cadence_key:
                raise CommandError("set Event Cadence up with both --url and --key")
            chosen = CadenceSettings(args.url, args.key_in, args.form, args.group or [])
            door.store.set_setting(SETTINGS_KEY, chosen.to_json())
            save_named_secret(door.data_dir, secret_name, args.cadence_key)
        settings = load_settings(door.store)
        key = load_named_secret(door.data_dir, secret_name)
        if settings is None or not key:
            raise CommandError("Event Cadence is not set up: give --url and --key once")
        pusher = CadencePusher(settings, key)
        try:
            status = Forwarder(door.store, pusher).run_once()
        finally:
            pusher.close()
        problems = door.store.forward_problems("eventcadence")
    finally:
        door.close()
    print(f"Event Cadence: {status.sent} sent, {status.waiting} waiting, {status.held} held back.")
    for name, why in problems:
        print(f"  held back: {name}: {why}")
    if status.problem:
        print(f"  {status.problem}")
    return 1 if status.blocked else 0


def cmd_import(args: argparse.Namespace) -> int:
    """A guest list from a CSV or XLSX file, straight into this door (no server)."""
    from doorcheck.connectors.spreadsheet import (
        SpreadsheetConnector,
        SpreadsheetError,
        load_file,
    )
    from doorcheck.store.credentials import FILE_SOURCE, save_login
    from doorcheck.store.local import LocalStore
    from doorcheck.sync.source_sync import load_list

    path = Path(args.file).resolve()
    if path.suffix.lower() == ".xml":
        return _import_xml(args, path)
    try:
        sheet = load_file(path, args.map or ())
    except SpreadsheetError as exc:
        raise CommandError(exc.phrase) from exc
    table = sheet.table
    print(f"{path.name}: {sheet.rows} rows"
          + (f", {table.encoding}" if table.encoding else "")
          + (f", separated by {table.delimiter!r}" if table.delimiter else ""))  # fmt: skip
    for name, column in sheet.mapping.items():
        print(f"  {name:<11} <- column {column + 1} {table.headers[column]!r}")
    for problem in sheet.problems():
        print(f"  note: {problem}")
    if args.preview:
        for guest in sheet.guests[:5]:
            fields = guest["fields"]
            name = " ".join(fields.get(key, "") for key in ("firstName", "lastName"))
            line = f"  {guest['accessCode'] or '-':<16} {name}  {fields.get('company', '')}"
            print(line.rstrip())
        print(f"{len(sheet.guests)} guests would be loaded (preview: nothing was changed).")
        return 0
    del sheet  # read once to report; load_list reads the file again, as the kiosk will
    data_dir = kiosk_data_dir(args)
    event_id = "file-" + safe_name(path.stem)
    connector = SpreadsheetConnector(path, args.map or ())
    save_login(data_dir, FILE_SOURCE + str(path), event_id, args.station, "")
    store = LocalStore.open(store_path(data_dir, event_id, args.station))
    try:
        written = load_list(store, connector)  # again: this door's check-ins are kept
        store.set_state("event", json.dumps({"id": event_id, "name": path.stem}))
        store.set_state("mode", args.mode)
        store.set_state("last_sync", datetime.now().astimezone().isoformat())
    except SpreadsheetError as exc:  # the file changed since it was read above
        raise CommandError(exc.phrase) from exc
    finally:
        store.close()
    print(f"Loaded {written} guests into station {args.station!r}; open the kiosk with "
          "`doorcheck kiosk`.")  # fmt: skip
    return 0


def _import_xml(args: argparse.Namespace, path: Path) -> int:
    """An attendee list saved from Eventbrite's legacy XML API."""
    from doorcheck.connectors.eventbrite_legacy import LegacyXmlFile
    from doorcheck.store.credentials import FILE_SOURCE, save_login
    from doorcheck.store.local import LocalStore
    from doorcheck.sync.connector import SourceError
    from doorcheck.sync.source_sync import load_list

    connector = LegacyXmlFile(path)
    try:
        guests = [g for batch in connector.full_load() for g in batch]
    except SourceError as exc:
        raise CommandError(f"{path.name}: {exc.message}") from exc
    print(f"{path.name}: {len(guests)} tickets from Eventbrite's XML attendee list")
    if args.preview:
        for obj, _ in guests[:5]:
            fields = obj["fields"]
            name = " ".join(fields.get(key, "") for key in ("firstName", "lastName"))
            print(f"  {obj['accessCode'] or '-':<24} {name}".rstrip())
        print(f"{len(guests)} guests would be loaded (preview: nothing was changed).")
        return 0
    data_dir = kiosk_data_dir(args)
    event_id = "file-" + safe_name(path.stem)
    save_login(data_dir, FILE_SOURCE + str(path), event_id, args.station, "")
    store = LocalStore.open(store_path(data_dir, event_id, args.station))
    try:
        written = load_list(store, connector)
        store.set_state("event", json.dumps({"id": event_id, "name": path.stem}))
        store.set_state("mode", args.mode)
        store.set_state("last_sync", datetime.now().astimezone().isoformat())
    finally:
        store.close()
    print(f"Loaded {written} guests into station {args.station!r}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Who came (and left) at this door, as CSV or XLSX."""
    from doorcheck.connectors.spreadsheet import export_rows, write_export

    door = open_door(args)
    try:
        rows = export_rows(door.store.guests_with_presence())
    finally:
        door.close()
    try:
        path = write_export(rows, Path(args.out))
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror}") from exc
    print(f"Wrote {len(rows)} check-ins to {path}.")
    return 0
