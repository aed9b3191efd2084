"""Everything the reference server does with its database, free of HTTP.

The HTTP layer (app.py) only parses requests and renders answers; the admin
commands and the demo call the same methods, so there is one implementation of
every rule.

Why one module of about 1,000 lines: its sections (sessions, guest lists, the write
extension, administration) all run inside the same transactions and advance the
same clock row that makes the list cursor exact (docs/protocol.md), and a rule of
one section (a station's segment, the door-time window, deleted guests) is checked
by the others. Kept together, a reader sees every rule a request meets in one
place, in the order the sections are marked below; the helpers that turn rows into
wire objects follow the class.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    String,
    and_,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError

from doorcheck.domain.attention import AnswerRules
from doorcheck.domain.changes import Action, ChangeRecord, Effect, Presence, fold_presence
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.occupancy import ZonePlan
from doorcheck.domain.timeutil import format_datetime, to_utc
from doorcheck.protocol.wire import (
    REJECT_MESSAGES,
    ChangeOutcome,
    ChangeResult,
    JsonObject,
    RejectReason,
    StationConfiguration,
    StationMode,
    guest_to_json,
)
from doorcheck.server import db
from doorcheck.server.limits import (
    MAX_ID_LENGTH,
    MAX_LOGIN_TEXT,
    MAX_SHORT_TEXT,
    InputError,
    check_fields,
    check_text,
    parse_instant,
)
from doorcheck.server.security import (
    DUMMY_HASH,
    app_code_weakness,
    hash_app_code,
    new_app_code,
    new_session_token,
    token_digest,
    verify_app_code,
)

log = logging.getLogger(__name__)

MICROSECOND = timedelta(microseconds=1)
MAX_NONCE_LENGTH = 100

# Door times the server accepts (docs/protocol.md, "Door times"): generous, since
# laptop clocks are off by hours and uploads can come days after an offline evening.
DOOR_TIME_AHEAD = timedelta(days=1)  # ahead of the server's clock
DOOR_TIME_PAST = timedelta(days=30)  # behind it, for events without dates
DOOR_TIME_EVENT_MARGIN = timedelta(days=2)  # around the event's start and end
RATE_WINDOW = timedelta(minutes=1)
MAX_COLOR_LENGTH = 16  # the column's size

# Reject codes of the write extension that are the reference server's own.
DOOR_TIME_OUT_OF_RANGE = RejectReason.DOOR_TIME_OUT_OF_RANGE
NONCE_REUSED = RejectReason.NONCE_REUSED
NONCE_REUSED_MESSAGE = "This nonce was used before for a different change."
TOO_MANY_GUEST_CHANGES = RejectReason.TOO_MANY_GUEST_CHANGES


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServerSettings:
    token_lifetime: timedelta = timedelta(hours=24)
    max_body_bytes: int = 1 << 20
    body_seconds: float = 30.0  # to receive a whole request body, once its head is in
    max_batch: int = 500
    # Changes applied per write transaction: the write lock is held that long.
    changes_per_transaction: int = 50
    # Per station. Generous: a door back after hours offline uploads its backlog at
    # once (10,000 changes is a benchmark floor); a flood is bounded by it and, above
    # all, by 50 changes per transaction and 1,000 per guest.
    max_changes_per_minute: int = 20000
    max_changes_per_guest: int = 1000  # check-ins, check-outs and undos, all stations
    clock: Callable[[], datetime] = utc_now


class ApiError(Exception):
    """An answer in the error envelope: a protocol code and an HTTP status."""

    def __init__(self, code: int, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


def missing(*names: str) -> ApiError:
    return ApiError(20, "Required parameter(s) missing: " + ", ".join(names))


INVALID_SESSION = 30


@dataclass(frozen=True)
class SessionInfo:
    token_hash: str
    event_id: str
    station_id: int
    station_name: str
    configuration: StationConfiguration


@dataclass
class NewStation:
    event_id: str
    name: str
    app_code: str  # in clear, only at creation: it is stored hashed
    weakness: str | None = None  # why a chosen App Code is easy to guess


@dataclass
class GuestInput:
    """A guest to create, as the admin tools and the demo describe one."""

    fields: dict[str, Any]
    access_code: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    parent_id: str | None = None
    registration_state: RegistrationState = RegistrationState.REGISTERED
    highlight_color: str | None = None
    segments: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Refuse, with InputError, a guest that kiosks could not read back."""
        check_text("the guest id", self.id, MAX_ID_LENGTH)
        if not self.id.strip():
            raise InputError("the guest id is empty")
        if self.parent_id is not None:
            check_text("the main guest's id", self.parent_id, MAX_ID_LENGTH)
        if self.access_code is not None:
            check_text("the access code", self.access_code, MAX_SHORT_TEXT)
        if self.highlight_color is not None:
            check_text("the highlight colour", self.highlight_color, MAX_COLOR_LENGTH)
        for segment in self.segments:
            check_text("a segment", segment, MAX_SHORT_TEXT)
        self.fields = dict(check_fields(self.fields))


class StationRepository:
    def __init__(self, engine: Engine, settings: ServerSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or ServerSettings()

    # -- transactions ----------------------------------------------------------------

    def _write(self) -> Any:
        return self.engine.connect().execution_options(immediate=True)

    def _tick(self, conn: Connection, *, advance: bool) -> datetime:
        """Take a stamp from the server clock under its row lock.

        Writers advance it by at least a microsecond, so every write's stamp is
        unique and later than any cursor handed out before it; readers only move it
        up to now. See docs/protocol.md, "The cursor".
        """
        last = conn.execute(
            select(db.server_clock.c.last).where(db.server_clock.c.id == 1).with_for_update()
        ).scalar_one()
        now = self.settings.clock()
        stamp = max(now, last + MICROSECOND) if advance else max(now, last)
        conn.execute(update(db.server_clock).where(db.server_clock.c.id == 1).values(last=stamp))
        return stamp  # type: ignore[no-any-return]

    # -- sessions --------------------------------------------------------------------

    def login(
        self, event_id: str, app_code: str, station_name: str, device_id: str | None = None
    ) -> JsonObject:
        with self.engine.connect() as conn:
            event = conn.execute(select(db.events).where(db.events.c.id == event_id)).first()
            station = None
            if event is not None:
                station = conn.execute(
                    select(db.stations).where(
                        db.stations.c.event_id == event_id,
                        func.lower(db.stations.c.name) == station_name.strip().lower(),
                    )
                ).first()
        if event is None:
            verify_app_code(app_code, DUMMY_HASH)  # same cost as a real check
            raise ApiError(1000, "Event ID not known.", 404)
        stored = station.app_code_hash if station is not None else DUMMY_HASH
        if not verify_app_code(app_code, stored) or station is None:
            raise ApiError(1010, "API key incorrect.", 401)
        token = new_session_token()
        now = self.settings.clock()
        with self._write() as conn, conn.begin():
            live_after = now - self.settings.token_lifetime
            conn.execute(delete(db.sessions).where(db.sessions.c.last_used < live_after))
            if device_id:
                # A device that logs in again replaces its own earlier session.
                conn.execute(
                    delete(db.sessions).where(
                        db.sessions.c.station_id == station.id,
                        db.sessions.c.device_id == device_id,
                    )
                )
            if station.max_devices is not None:
                live = conn.execute(
                    select(func.count())
                    .select_from(db.sessions)
                    .where(db.sessions.c.station_id == station.id)
                ).scalar_one()
                if live >= station.max_devices:
                    raise ApiError(
                        1020,
                        f"Maximum number of devices ({station.max_devices}) reached.",
                        403,
                    )
            conn.execute(
                insert(db.sessions).values(
                    token_hash=token_digest(token),
                    event_id=event_id,
                    station_id=station.id,
                    station_name=station.name,
                    device_id=device_id,
                    created=now,
                    last_used=now,
                )
            )
        return {
            "status": "success",
            "event": {
                "id": event.id,
                "name": event.name,
                "company": event.company,
                "startDateTime": format_datetime(event.start) if event.start else None,
                "endDateTime": format_datetime(event.end) if event.end else None,
                "configuration": {
                    **_configuration(station).to_json(),
                    **self.answer_rules(station.id),
                },
            },
            "stationName": station.name,
            "sessionToken": token,
            "meshSecret": self._mesh_secret(event.id),
            "occupancy": self.zone_plan(event.id).to_json(),
        }

    def answer_rules(self, station_id: int) -> dict[str, object]:
        """The station's attention rules and tag fields, as the login gives them
        (``attention`` and ``tagFields``; nothing when none were set)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(db.station_answers.c.rules).where(
                    db.station_answers.c.station_id == station_id
                )
            ).scalar()
        rules = json.loads(found) if isinstance(found, str) else {}
        return rules if isinstance(rules, dict) else {}

    def set_answer_rules(self, event_id: str, station: str, rules: AnswerRules) -> None:
        """Set (or, with empty rules, clear) what a station's answer adds for its
        stewards (docs/protocol.md: ``attention``, ``tagFields``)."""
        value = {
            "attention": [{"field": r.field, "value": r.value, "text": r.text}
                          for r in rules.rules],
            "tagFields": list(rules.tag_fields),
        }  # fmt: skip
        with self._write() as conn, conn.begin():
            station_id = conn.execute(
                select(db.stations.c.id).where(
                    db.stations.c.event_id == event_id,
                    func.lower(db.stations.c.name) == station.lower(),
                )
            ).scalar()
            if station_id is None:
                raise KeyError(f"no station {station!r} in event {event_id}")
            conn.execute(
                delete(db.station_answers).where(db.station_answers.c.station_id == station_id)
            )
            if rules.rules or rules.tag_fields:
                conn.execute(
                    insert(db.station_answers).values(
                        station_id=station_id, rules=json.dumps(value, ensure_ascii=False)
                    )
                )

    def zone_plan(self, event_id: str) -> ZonePlan:
        """The event's zones and capacities (an empty plan when none was set)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(db.zone_plans.c.plan).where(db.zone_plans.c.event_id == event_id)
            ).scalar()
        if not isinstance(found, str):
            return ZonePlan()
        return ZonePlan.from_json(json.loads(found))

    def set_zone_plan(self, event_id: str, plan: ZonePlan) -> None:
        with self._write() as conn, conn.begin():
            if (
                conn.execute(select(db.events.c.id).where(db.events.c.id == event_id)).first()
                is None
            ):
                raise KeyError(f"no event {event_id}")
            conn.execute(delete(db.zone_plans).where(db.zone_plans.c.event_id == event_id))
            if not plan.empty:
                conn.execute(
                    insert(db.zone_plans).values(
                        event_id=event_id, plan=json.dumps(plan.to_json(), ensure_ascii=False)
                    )
                )

    def _mesh_secret(self, event_id: str) -> str:
        """The event's mesh secret, made on first use (32 random bytes, base64url)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(db.mesh_secrets.c.secret).where(db.mesh_secrets.c.event_id == event_id)
            ).scalar()
        if isinstance(found, str):
            return found
        made = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        try:
            with self._write() as conn, conn.begin():
                conn.execute(insert(db.mesh_secrets).values(event_id=event_id, secret=made))
        except IntegrityError:
            pass  # another station's login made it first: that one holds
        with self.engine.connect() as conn:
            return str(
                conn.execute(
                    select(db.mesh_secrets.c.secret).where(db.mesh_secrets.c.event_id == event_id)
                ).scalar_one()
            )

    def logout(self, token: object) -> None:
        with self._write() as conn, conn.begin():
            session = self._session(conn, token)
            conn.execute(delete(db.sessions).where(db.sessions.c.token_hash == session.token_hash))

    def _session(self, conn: Connection, token: object) -> SessionInfo:
        """Validate and touch a session (its 24 h run from the last use)."""
        if not isinstance(token, str) or not token:
            raise missing("sessionToken")
        if len(token) > MAX_LOGIN_TEXT:
            raise ApiError(INVALID_SESSION, "Invalid session token provided.", 401)
        digest = token_digest(token)
        row = conn.execute(
            select(db.sessions, db.stations)
            .join(db.stations, db.stations.c.id == db.sessions.c.station_id)
            .where(db.sessions.c.token_hash == digest)
        ).first()
        now = self.settings.clock()
        if row is None or now - row.last_used > self.settings.token_lifetime:
            raise ApiError(INVALID_SESSION, "Invalid session token provided.", 401)
        conn.execute(
            update(db.sessions).where(db.sessions.c.token_hash == digest).values(last_used=now)
        )
        return SessionInfo(
            token_hash=digest,
            event_id=row.event_id,
            station_id=row.station_id,
            station_name=row.station_name,
            configuration=_configuration(row),
        )

    # -- guest lists -----------------------------------------------------------------

    def list_guests(self, token: object, since: datetime | None) -> Iterator[bytes]:
        """``guest/list/all`` (since None) and ``guest/list/recent``, as JSON chunks.

        Rendered straight from the stored JSON text of each guest's fields, and
        streamed: a full list can hold 100,000 guests, and the station can parse the
        first guests while the server renders the rest.
        """
        with self._write() as conn, conn.begin():
            session = self._session(conn, token)
            cursor = self._tick(conn, advance=False)
        # Read after the cursor's transaction committed: every write stamped at or
        # before the cursor is visible now, and every later one is stamped after it.
        return self._render_list(session, cursor, since)

    def _render_list(
        self, session: SessionInfo, cursor: datetime, since: datetime | None
    ) -> Iterator[bytes]:
        with self.engine.connect() as conn:
            query = select(*_LIST_COLUMNS).where(db.guests.c.event_id == session.event_id)
            if since is None:
                query = query.where(db.guests.c.delete_time.is_(None))
                children = self._all_children(conn, session.event_id)
            else:
                # Exclusive: every write after the cursor was handed out is stamped
                # strictly later (see _tick), and everything stamped up to it was sent.
                query = query.where(db.guests.c.server_update > since).order_by(
                    db.guests.c.server_update, db.guests.c.id
                )
            segment = session.configuration.segment
            members = self._segment_members(conn, session.event_id, segment) if segment else None
            head = json.dumps({"status": "success", "dateTime": format_datetime(cursor)})
            yield (head[:-1] + ',"guests":[').encode()
            count = 0
            result = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
            for rows in result.partitions():
                if members is not None:
                    rows = [r for r in rows if r.id in members or r.parent_id in members]
                if since is not None:
                    children = self._companion_ids(conn, rows)
                parts = [render_guest_row(r, children.get(r.id, [])) for r in rows]
                if parts:
                    yield (("," if count else "") + ",".join(parts)).encode()
                    count += len(parts)
            yield f'],"count":{count}}}'.encode()

    def _all_children(self, conn: Connection, event_id: str) -> dict[str, list[str]]:
        children: dict[str, list[str]] = defaultdict(list)
        for child in conn.execute(
            select(db.guests.c.id, db.guests.c.parent_id).where(
                db.guests.c.event_id == event_id,
                db.guests.c.parent_id.is_not(None),
                db.guests.c.delete_time.is_(None),
            )
        ):
            children[child.parent_id].append(child.id)
        return children

    def _segment_members(self, conn: Connection, event_id: str, segment: str) -> set[str]:
        """Ids of the segment's guests; their companions are shown through them."""
        return {
            row.id
            for row in conn.execute(
                select(db.guests.c.id, db.guests.c.segments).where(db.guests.c.event_id == event_id)
            )
            if segment in json.loads(row.segments)
        }

    def _companion_ids(self, conn: Connection, rows: Sequence[Row[Any]]) -> dict[str, list[str]]:
        """The live companions of some guests, by main guest id."""
        children: dict[str, list[str]] = defaultdict(list)
        parent_ids = [row.id for row in rows]
        for start in range(0, len(parent_ids), 500):
            chunk = parent_ids[start : start + 500]
            # No event_id term: guest ids are unique across events, and with it
            # SQLite picks the (event_id, …) index and scans the whole event.
            for child in conn.execute(
                select(db.guests.c.id, db.guests.c.parent_id).where(
                    db.guests.c.parent_id.in_(chunk),
                    db.guests.c.delete_time.is_(None),
                )
            ):
                children[child.parent_id].append(child.id)
        return children

    # -- the write extension ---------------------------------------------------------

    def apply_changes(self, token: object, items: object) -> JsonObject:
        if not isinstance(items, list):
            raise missing("changes")
        if len(items) > self.settings.max_batch:
            raise ApiError(
                40, f"Too many changes in one request (at most {self.settings.max_batch}).", 413
            )
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("nonce"), str):
                raise missing(f"changes[{index}].nonce")
            if not item["nonce"] or len(item["nonce"]) > MAX_NONCE_LENGTH:
                raise ApiError(20, f"changes[{index}].nonce must be 1 to 100 characters.")
        results: list[JsonObject] = []
        # Short transactions: the write lock is held for a chunk of changes, never for a
        # whole batch, so other doors' writes and logins slip in between. A chunk that
        # commits before a later one fails is answered on the resend, as duplicates.
        step = self.settings.changes_per_transaction
        session: SessionInfo | None = None
        window = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
        for start in range(0, max(len(items), 1), step):
            with self._write() as conn, conn.begin():
                if session is None:  # the first chunk: one write transaction in all
                    session = self._session(conn, token)
                    self._check_rate(conn, session, len(items))
                    window = self._door_window(conn, session.event_id)
                # One stamp per chunk: later than any cursor handed out before, since
                # this transaction holds the clock's lock until it commits.
                stamp = self._tick(conn, advance=True)
                for item in items[start : start + step]:
                    result = self._apply_one(conn, session, item, stamp, window)
                    results.append(result.to_json())
                cursor = self._tick(conn, advance=False)
        return {"status": "success", "dateTime": format_datetime(cursor), "results": results}

    def _check_rate(self, conn: Connection, session: SessionInfo, count: int) -> None:
        """A station's changes per minute are bounded, so one station cannot flood the
        log; a door's backlog after a long outage still goes up within minutes."""
        since = self.settings.clock() - RATE_WINDOW
        recent = conn.execute(
            select(func.count())
            .select_from(db.changes)
            .where(
                db.changes.c.event_id == session.event_id,
                db.changes.c.station_name == session.station_name,
                db.changes.c.server_time > since,
            )
        ).scalar_one()
        if recent + count > self.settings.max_changes_per_minute:
            raise ApiError(
                1040,
                "This station sent too many changes in the last minute "
                f"(at most {self.settings.max_changes_per_minute}). Try again in a minute.",
                429,
            )

    def _door_window(self, conn: Connection, event_id: str) -> tuple[datetime, datetime]:
        """The door times the server accepts for this event (docs/protocol.md, "Door
        times"): around the event if its dates are known, and never far from now."""
        now = self.settings.clock()
        event = conn.execute(
            select(db.events.c.start, db.events.c.end).where(db.events.c.id == event_id)
        ).first()
        earliest = now - DOOR_TIME_PAST
        latest = now + DOOR_TIME_AHEAD
        if event is not None and event.start is not None:
            earliest = event.start - DOOR_TIME_EVENT_MARGIN
        if event is not None and event.end is not None:
            latest = min(latest, event.end + DOOR_TIME_EVENT_MARGIN)
        return earliest, latest

    def _made_at(self, conn: Connection, session: SessionInfo, named: object) -> MadeAt:
        """The station a change was made at: the sending one, or (doorcheck's write
        extension, docs/peers.md) another station of the same event a change was
        learned from, named by ``station``; its name and mode then decide. A name
        that is no station of the event is not taken: the sender's own count."""
        own = MadeAt(session.station_name, session.configuration.mode)
        if not isinstance(named, str) or named.strip().lower() == session.station_name.lower():
            return own
        found = conn.execute(
            select(db.stations.c.name, db.stations.c.mode).where(
                db.stations.c.event_id == session.event_id,
                func.lower(db.stations.c.name) == named.strip().lower()[:MAX_LOGIN_TEXT],
            )
        ).first()
        if found is None:
            return own
        return MadeAt(found.name, StationMode.parse(found.mode))

    def _apply_one(
        self,
        conn: Connection,
        session: SessionInfo,
        item: JsonObject,
        stamp: datetime,
        window: tuple[datetime, datetime],
    ) -> ChangeResult:
        nonce: str = item["nonce"]
        known = conn.execute(
            select(db.changes).where(
                db.changes.c.event_id == session.event_id, db.changes.c.nonce == nonce
            )
        ).first()
        parsed = _parse_change(item)
        if known is not None:
            if isinstance(parsed, ChangeResult) or not _same_change(known, parsed, item):
                # Answered, never stored: the nonce belongs to the first change.
                return _refusal(nonce, NONCE_REUSED, NONCE_REUSED_MESSAGE)
            first = ChangeResult.from_json(json.loads(known.answer))
            return ChangeResult(
                nonce=nonce,
                result=ChangeOutcome.DUPLICATE,
                first_result=first.result,
                code=first.code,
                message=first.message,
                guest=self._guest_by_id(conn, session.event_id, known.guest_id),
            )
        if isinstance(parsed, ChangeResult):
            # Malformed: answered, not stored, so a corrected resend can still apply.
            return parsed
        action, guest_id, door_time = parsed
        made_at = self._made_at(conn, session, item.get("station"))
        earliest, latest = window
        if not earliest <= door_time <= latest:
            # Not stored either: a station whose clock is put right may resend it.
            return _refusal(
                nonce,
                DOOR_TIME_OUT_OF_RANGE,
                f"The door time {format_datetime(door_time)} lies outside "
                f"{format_datetime(earliest)} to {format_datetime(latest)}; "
                "check the station's clock.",
            )
        record = ChangeRecord(
            nonce=nonce,
            guest_id=guest_id,
            action=action,
            door_time=door_time,
            station=made_at.name,
            target_nonce=item.get("targetNonce") if action == Action.UNDO else None,
        )

        def store(result: ChangeResult, effect: str) -> ChangeResult:
            conn.execute(
                insert(db.changes).values(
                    nonce=nonce,
                    event_id=session.event_id,
                    guest_id=guest_id,
                    action=action.value,
                    door_time=door_time,
                    station_name=made_at.name,
                    target_nonce=record.target_nonce,
                    server_time=stamp,
                    rejected=effect == "rejected",
                    effect=effect,
                    answer=json.dumps(result.to_json() | {"guest": None}),
                )
            )
            return result

        def reject(reason: RejectReason, guest: Guest | None = None) -> ChangeResult:
            result = ChangeResult(
                nonce, ChangeOutcome.REJECTED, None, int(reason), REJECT_MESSAGES[reason], guest
            )
            return store(result, "rejected")

        if action == Action.ADD_COMPANION:
            return self._add_companion(
                conn, session, item, guest_id, door_time, stamp, reject, store
            )
        guest = self._guest_by_id(conn, session.event_id, guest_id)
        if guest is None:
            return reject(RejectReason.UNKNOWN_GUEST)
        if guest.is_deleted:
            return reject(RejectReason.GUEST_DELETED, guest)
        mode = made_at.mode
        if action == Action.CHECK_IN:
            if guest.registration_state == RegistrationState.DEREGISTERED:
                return reject(RejectReason.GUEST_DEREGISTERED, guest)
            if mode == StationMode.CHECK_OUT:
                return reject(RejectReason.MODE_FORBIDS, guest)
        if action == Action.CHECK_OUT and mode == StationMode.CHECK_IN:
            return reject(RejectReason.MODE_FORBIDS, guest)
        logged = _accepted_changes(guest_id)
        count = conn.execute(select(func.count()).where(logged)).scalar_one()
        if count >= self.settings.max_changes_per_guest:
            # Stored as rejected: it counts against the station's rate, not the guest.
            refused = _refusal(
                nonce,
                TOO_MANY_GUEST_CHANGES,
                f"This guest has {count} changes already, the most the server keeps.",
                guest,
            )
            return store(refused, "rejected")
        latest_door_time = conn.execute(select(func.max(db.changes.c.door_time)).where(logged))
        last = latest_door_time.scalar()
        if action != Action.UNDO and (last is None or to_utc(last) < door_time):
            # The usual case: the change comes after every one logged for this guest,
            # so the earlier changes keep their effects and only this one is folded,
            # over the state they left. No refold of the whole log.
            base = Presence(
                check_in=guest.check_in,
                check_in_station=guest.check_in_station,
                check_out=guest.check_out,
                check_out_station=guest.check_out_station,
            )
            folded = fold_presence([record], base)
            earlier: list[Row[Any]] = []
            conflict_station = guest.check_in_station
        else:
            earlier = list(conn.execute(select(db.changes).where(logged)).all())
            if action == Action.UNDO and record.target_nonce not in {r.nonce for r in earlier}:
                return reject(RejectReason.UNKNOWN_TARGET, guest)
            # Fold the guest's log with this change in it, before storing anything: the
            # change is then written once, with its final answer.
            records = [_change_record(r) for r in earlier if r.action != Action.ADD_COMPANION]
            folded = fold_presence([*records, record])
            other = folded.conflicts_with.get(nonce)
            conflict_station = next((r.station for r in records if r.nonce == other), None)
        presence = folded.presence
        guest.check_in, guest.check_in_station = presence.check_in, presence.check_in_station
        guest.check_out, guest.check_out_station = presence.check_out, presence.check_out_station
        door_times = [door_time, *(r.door_time for r in earlier if r.action != "addCompanion")]
        if not earlier and guest.client_update is not None:
            door_times.append(guest.client_update)
        guest.client_update = max(door_times)
        guest.server_update = stamp
        effect = folded.effects.get(nonce, Effect.APPLIED)
        if effect == Effect.CONFLICT:
            result = ChangeResult(
                nonce,
                ChangeOutcome.CONFLICT,
                message=_conflict_message(action, guest, conflict_station),
                guest=guest,
            )
        else:
            result = ChangeResult(nonce, ChangeOutcome.APPLIED, guest=guest)
        store(result, effect.value)
        conn.execute(
            update(db.guests)
            .where(db.guests.c.id == guest_id)
            .values(
                check_in=presence.check_in,
                check_in_station=presence.check_in_station,
                check_out=presence.check_out,
                check_out_station=presence.check_out_station,
                client_update=guest.client_update,
                server_update=stamp,
            )
        )
        # A late change with an earlier door time can turn an earlier answer around:
        # keep every change's current effect, so conflicts can be listed truthfully.
        for row in earlier:
            now_effect = folded.effects.get(row.nonce)
            if now_effect is not None and row.effect != now_effect.value:
                conn.execute(
                    update(db.changes)
                    .where(db.changes.c.event_id == row.event_id, db.changes.c.nonce == row.nonce)
                    .values(effect=now_effect.value)
                )
        return result

    def _add_companion(
        self,
        conn: Connection,
        session: SessionInfo,
        item: JsonObject,
        guest_id: str,
        door_time: datetime,
        stamp: datetime,
        reject: Callable[..., ChangeResult],
        store: Callable[[ChangeResult, str], ChangeResult],
    ) -> ChangeResult:
        parent = self._guest_by_id(conn, session.event_id, str(item.get("parentId") or ""))
        if parent is None:
            return reject(RejectReason.UNKNOWN_GUEST)
        if parent.is_deleted:
            return reject(RejectReason.GUEST_DELETED, parent)
        if conn.execute(select(db.guests.c.id).where(db.guests.c.id == guest_id)).first():
            return reject(RejectReason.INVALID_CHANGE, parent)
        fields = check_fields(item.get("fields"))  # checked in _parse_change already
        segments = conn.execute(
            select(db.guests.c.segments).where(db.guests.c.id == parent.id)
        ).scalar_one()
        conn.execute(
            insert(db.guests).values(
                id=guest_id,
                event_id=session.event_id,
                parent_id=parent.id,
                access_code=None,
                registration_state=RegistrationState.REGISTERED.value,
                fields=json.dumps(fields),
                extra="{}",
                segments=segments,
                client_update=door_time,
                server_update=stamp,
            )
        )
        # The main guest's companion list changed: stamp it so other doors see it.
        conn.execute(
            update(db.guests).where(db.guests.c.id == parent.id).values(server_update=stamp)
        )
        companion = self._guest_by_id(conn, session.event_id, guest_id)
        return store(ChangeResult(item["nonce"], ChangeOutcome.APPLIED, guest=companion), "applied")

    def _guest_by_id(self, conn: Connection, event_id: str, guest_id: str) -> Guest | None:
        row = conn.execute(
            select(db.guests).where(db.guests.c.id == guest_id, db.guests.c.event_id == event_id)
        ).first()
        if row is None:
            return None
        companions = self._companion_ids(conn, [row])
        return _guest(row, companions.get(row.id, []))

    # -- administration --------------------------------------------------------------

    def create_event(
        self,
        name: str,
        *,
        company: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        with self._write() as conn, conn.begin():
            while event_id is None:
                candidate = str(100000 + secrets.randbelow(900000))
                taken = conn.execute(select(db.events.c.id).where(db.events.c.id == candidate))
                if taken.first() is None:
                    event_id = candidate
            conn.execute(
                insert(db.events).values(
                    id=event_id,
                    name=name,
                    company=company,
                    start=start,
                    end=end,
                    created=self.settings.clock(),
                )
            )
        return event_id

    def create_station(
        self,
        event_id: str,
        name: str,
        *,
        app_code: str | None = None,
        mode: StationMode = StationMode.CHECK_IN,
        segment: str | None = None,
        min_search_length: int = 1,
        max_devices: int | None = None,
        show_all_guests: bool = True,
        access_code_pattern: str | None = None,
    ) -> NewStation:
        if access_code_pattern is not None:
            re.compile(access_code_pattern)  # refuse a broken pattern now, not at the door
        code = app_code or new_app_code()
        with self._write() as conn, conn.begin():
            if (
                conn.execute(select(db.events.c.id).where(db.events.c.id == event_id)).first()
                is None
            ):
                raise KeyError(f"no event {event_id}")
            conn.execute(
                insert(db.stations).values(
                    event_id=event_id,
                    name=name,
                    app_code_hash=hash_app_code(code),
                    mode=mode.value,
                    segment=segment,
                    min_search_length=min_search_length,
                    max_devices=max_devices,
                    show_all_guests=show_all_guests,
                    access_code_pattern=access_code_pattern,
                )
            )
        weakness = app_code_weakness(code)
        if weakness:
            # Never the code itself: it is a secret.
            log.warning("station %r of event %s: %s", name, event_id, weakness)
        return NewStation(event_id=event_id, name=name, app_code=code, weakness=weakness)

    def add_guests(self, event_id: str, new: Iterable[GuestInput], *, batch: int = 5000) -> int:
        """Bulk insert in short transactions, so a door's write never waits long."""
        count = 0
        pending: list[dict[str, Any]] = []

        def flush() -> None:
            with self._write() as conn, conn.begin():
                stamp = self._tick(conn, advance=True)
                conn.execute(insert(db.guests), [p | {"server_update": stamp} for p in pending])
            pending.clear()

        for guest in new:
            guest.check()
            pending.append(
                {
                    "id": guest.id,
                    "event_id": event_id,
                    "parent_id": guest.parent_id,
                    "access_code": guest.access_code,
                    "registration_state": guest.registration_state.value,
                    "highlight_color": guest.highlight_color,
                    "fields": json.dumps(guest.fields, ensure_ascii=False),
                    "extra": "{}",
                    "segments": json.dumps(guest.segments),
                    "client_update": None,
                }
            )
            count += 1
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        self.refresh_statistics()
        return count

    def refresh_statistics(self) -> None:
        """Let SQLite's planner see the table sizes after a bulk load (PostgreSQL's
        autovacuum does this by itself)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA optimize=0x10002")

    def find_guest_id(self, event_id: str, key: str) -> str | None:
        """A guest by id or access code."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(db.guests.c.id).where(
                    db.guests.c.event_id == event_id,
                    (db.guests.c.id == key) | (db.guests.c.access_code == key),
                )
            ).first()
        return None if row is None else str(row.id)

    def delete_guest(self, event_id: str, guest_id: str) -> bool:
        """Mark a guest (and its companions) deleted; ``recent`` then reports them."""
        return self.delete_guests(event_id, [guest_id]) > 0

    def delete_guests(self, event_id: str, guest_ids: Sequence[str]) -> int:
        """Delete many guests and their companions in one short transaction."""
        count = 0
        with self._write() as conn, conn.begin():
            stamp = self._tick(conn, advance=True)
            for start in range(0, len(guest_ids), 500):
                chunk = list(guest_ids[start : start + 500])
                # Two statements, not one OR: each can use its own index.
                # Only guests of this event, found through their own index.
                chunk = list(
                    conn.execute(
                        select(db.guests.c.id).where(
                            db.guests.c.id.in_(chunk), db.guests.c.event_id == event_id
                        )
                    ).scalars()
                )
                for column in (db.guests.c.id, db.guests.c.parent_id):
                    result = conn.execute(
                        update(db.guests)
                        .where(column.in_(chunk), db.guests.c.delete_time.is_(None))
                        .values(delete_time=stamp, server_update=stamp)
                    )
                    count += result.rowcount
        return count

    def set_registration(self, event_id: str, guest_id: str, state: RegistrationState) -> bool:
        with self._write() as conn, conn.begin():
            stamp = self._tick(conn, advance=True)
            result = conn.execute(
                update(db.guests)
                .where(and_(db.guests.c.event_id == event_id, db.guests.c.id == guest_id))
                .values(registration_state=state.value, server_update=stamp)
            )
            return bool(result.rowcount > 0)

    def guests_for_tickets(self, event_id: str) -> list[Guest]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(db.guests).where(
                    db.guests.c.event_id == event_id,
                    db.guests.c.delete_time.is_(None),
                    db.guests.c.access_code.is_not(None),
                )
            ).all()
        return [_guest(row, []) for row in rows]

    def event_summary(self, event_id: str) -> Mapping[str, Any] | None:
        with self.engine.connect() as conn:
            event = conn.execute(select(db.events).where(db.events.c.id == event_id)).first()
            if event is None:
                return None
            total = conn.execute(
                select(func.count())
                .select_from(db.guests)
                .where(db.guests.c.event_id == event_id, db.guests.c.delete_time.is_(None))
            ).scalar_one()
        return {"id": event.id, "name": event.name, "company": event.company, "guests": total}


_TIME_COLUMNS = ("client_update", "server_update", "check_in", "check_out", "delete_time")
# Date-times selected as the driver gives them (text on SQLite): converting 100,000s
# of them through SQLAlchemy's type layer costs more than the whole rendering.
_LIST_COLUMNS = [
    type_coerce(column, String).label(column.name) if column.name in _TIME_COLUMNS else column
    for column in db.guests.c
]


def _wire_time(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return '"' + format_datetime(value.replace(tzinfo=UTC)) + '"'


def _text(value: str | None) -> str:
    return "null" if value is None else _encode_string(value)


# The C string encoder behind json.dumps(..., ensure_ascii=False), without its overhead.
_encode_string: Callable[[str], str] = json.encoder.encode_basestring


def render_guest_row(row: Any, companion_ids: list[str]) -> str:
    """A guest row as wire JSON, equal to ``guest_to_json`` of the same guest."""
    if row.extra != "{}":
        parsed = row._asdict()
        for key in _TIME_COLUMNS:
            if isinstance(parsed[key], str):
                parsed[key] = datetime.fromisoformat(parsed[key])
            if parsed[key] is not None:
                parsed[key] = parsed[key].replace(tzinfo=UTC)
        return json.dumps(
            guest_to_json(_guest(_Namespace(parsed), companion_ids)), ensure_ascii=False
        )
    parts = [
        f'{{"id":{_text(row.id)},"parentId":{_text(row.parent_id)}'
        f',"accessCode":{_text(row.access_code)}'
        f',"clientUpdateDateTime":{_wire_time(row.client_update)}'
        f',"serverUpdateDateTime":{_wire_time(row.server_update)}'
        f',"checkInDateTime":{_wire_time(row.check_in)}'
        f',"checkOutDateTime":{_wire_time(row.check_out)}'
        f',"deleteDateTime":{_wire_time(row.delete_time)}'
        f',"registrationState":"{RegistrationState.parse(row.registration_state).value}"'
    ]
    if row.highlight_color is not None:
        parts += [',"highlightColor":', _text(row.highlight_color)]
    parts += [
        ',"fields":',
        row.fields,
        ',"companions":[',
        ",".join('{"id":' + _text(c) + "}" for c in companion_ids),
        "]",
    ]
    if row.check_in_station is not None:
        parts += [',"checkInStationName":', _text(row.check_in_station)]
    if row.check_out_station is not None:
        parts += [',"checkOutStationName":', _text(row.check_out_station)]
    parts.append("}")
    return "".join(parts)


class _Namespace:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _configuration(row: Any) -> StationConfiguration:
    return StationConfiguration(
        mode=StationMode.parse(row.mode),
        segment=row.segment,
        min_search_length=row.min_search_length,
        max_devices=row.max_devices,
        show_all_guests=bool(row.show_all_guests),
        access_code_pattern=row.access_code_pattern,
    )


def _guest(row: Any, companion_ids: list[str]) -> Guest:
    return Guest(
        id=row.id,
        access_code=row.access_code,
        parent_id=row.parent_id,
        client_update=row.client_update,
        server_update=row.server_update,
        check_in=row.check_in,
        check_out=row.check_out,
        delete_time=row.delete_time,
        registration_state=RegistrationState.parse(row.registration_state),
        highlight_color=row.highlight_color,
        fields=json.loads(row.fields),
        companion_ids=companion_ids,
        check_in_station=row.check_in_station,
        check_out_station=row.check_out_station,
        extra=json.loads(row.extra),
    )


def _change_record(row: Any) -> ChangeRecord:
    return ChangeRecord(
        nonce=row.nonce,
        guest_id=row.guest_id,
        action=Action(row.action),
        door_time=row.door_time,
        station=row.station_name,
        target_nonce=row.target_nonce,
    )


def _parse_change(item: JsonObject) -> tuple[Action, str, datetime] | ChangeResult:
    nonce = item["nonce"]

    def invalid(why: str) -> ChangeResult:
        return _refusal(nonce, int(RejectReason.INVALID_CHANGE), why)

    try:
        action = Action(str(item.get("action")))
    except ValueError:
        return invalid("Unknown action; use checkIn, checkOut, undo or addCompanion.")
    guest_id = item.get("guestId")
    if not isinstance(guest_id, str) or not guest_id or len(guest_id) > MAX_ID_LENGTH:
        return invalid("guestId is missing or not a string of at most 64 characters.")
    door_time = parse_instant(item.get("clientUpdateDateTime"))
    if door_time is None:
        return invalid("clientUpdateDateTime is missing or not a date-time.")
    target = item.get("targetNonce")
    if action == Action.UNDO and (
        not isinstance(target, str) or not target or len(target) > MAX_NONCE_LENGTH
    ):
        return invalid("An undo needs targetNonce, 1 to 100 characters.")
    if action == Action.ADD_COMPANION:
        parent = item.get("parentId")
        if not isinstance(parent, str) or not parent or len(parent) > MAX_ID_LENGTH:
            return invalid("addCompanion needs parentId, 1 to 64 characters.")
        try:
            check_text("guestId", guest_id, MAX_ID_LENGTH)
            check_fields(item.get("fields"))
        except InputError as exc:
            return invalid(f"The companion's {exc}.")
    return action, guest_id, door_time


def _refusal(nonce: str, code: int, message: str, guest: Guest | None = None) -> ChangeResult:
    """A change answered ``rejected`` without being stored."""
    return ChangeResult(nonce, ChangeOutcome.REJECTED, None, int(code), message, guest)


@dataclass(frozen=True, slots=True)
class MadeAt:
    name: str
    mode: StationMode


def _same_change(known: Row[Any], parsed: tuple[Action, str, datetime], item: JsonObject) -> bool:
    """Whether a resent nonce carries the change first sent with it."""
    action, guest_id, door_time = parsed
    target = item.get("targetNonce") if action == Action.UNDO else None
    return (
        known.action == action.value
        and known.guest_id == guest_id
        and to_utc(known.door_time) == door_time
        and known.target_nonce == target
    )


def _accepted_changes(guest_id: str) -> ColumnElement[bool]:
    """The guest's logged changes that count in its fold."""
    return and_(db.changes.c.guest_id == guest_id, db.changes.c.rejected.is_(False))


def _conflict_message(action: Action, guest: Guest, station: str | None) -> str:
    where = f" at {station}" if station else ""
    if action == Action.CHECK_IN and guest.check_in is not None:
        return f"Already checked in at {format_datetime(guest.check_in)}{where}."
    if action == Action.CHECK_OUT:
        return "Not checked in, so not checked out."
    return "Conflicts with another change."
