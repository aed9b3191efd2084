"""Scans and manual actions: a verdict and its durable record in one transaction."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from doorcheck.domain.attention import AnswerRules
from doorcheck.domain.changes import Action
from doorcheck.domain.codes import clean_code
from doorcheck.domain.guest import FieldValue, Guest, RegistrationState
from doorcheck.domain.hlc import HybridClock, door_time, stamp_of
from doorcheck.domain.timeutil import to_utc
from doorcheck.domain.verdict import Mode, Verdict, VerdictKind, decide
from doorcheck.protocol.wire import OutgoingChange
from doorcheck.store.local import LocalStore
from doorcheck.sync.health import is_disk_full
from doorcheck.views import GuestView, NotRecordedError, ScanOutcome

UNDO_WINDOW = timedelta(seconds=15)

log = logging.getLogger(__name__)


def station_service(
    store: LocalStore, station: str, *, on_change: Callable[[], None] | None = None
) -> CheckInService:
    """A door's check-in service as its store knows the station: the mode and the
    code pattern from the server's (or the import's) last word. The window and the
    commands make it here, so a door decides the same wherever it runs."""
    event = json.loads(store.get_state("event") or "{}")
    configuration = (event.get("configuration") if isinstance(event, dict) else None) or {}
    if not isinstance(configuration, dict):
        configuration = {}
    rules = AnswerRules.from_configuration(configuration)
    for reason in rules.refused:  # the rest of the configuration still counts
        log.warning("station configuration: %s", reason)
    return CheckInService(
        store,
        station,
        Mode(store.get_state("mode") or Mode.CHECK_IN.value),
        access_code_pattern=configuration.get("accessCodePattern"),
        answer_rules=rules,
        on_change=on_change,
    )


def laptop_now() -> datetime:
    return datetime.now(UTC).astimezone()


def _not_recorded(exc: OperationalError, code: str | None) -> ScanOutcome:
    """The transaction that would have recorded the verdict failed, so nothing of it
    is on disk: red, never an admit that is not on disk. A full disk is said as such;
    any other failure of the store is not this function's to explain."""
    if not is_disk_full(exc):
        raise exc
    return ScanOutcome(Verdict(VerdictKind.NOT_RECORDED), code)


@dataclass
class _LastAction:
    nonces: tuple[str, ...]
    guest_ids: tuple[str, ...]
    at: datetime


class CheckInService:
    """Decides scans at one station and records them durably before answering.

    ``on_change`` is called after each commit that queued changes, so the sync
    worker can upload at once; it must not block.
    """

    def __init__(
        self,
        store: LocalStore,
        station: str,
        mode: Mode,
        *,
        access_code_pattern: str | None = None,
        answer_rules: AnswerRules | None = None,
        clock: Callable[[], datetime] | None = None,
        door_clock: HybridClock | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.station = station
        self.mode = mode
        self.access_code_pattern = access_code_pattern
        # What the answer adds for the steward: attention texts and tags.
        self.answer_rules = answer_rules or AnswerRules()
        # Looked up when the service is made, not when this module was loaded.
        self._clock = clock or laptop_now
        self.on_change = on_change
        self._last: _LastAction | None = None
        if door_clock is None:
            latest = store.last_door_time()
            door = store.outbox.door_id()
            door_clock = HybridClock(
                door,
                wall=lambda: int(to_utc(self._clock()).timestamp() * 1000),
                last=stamp_of(latest, door) if latest is not None else None,
            )
        # Shared with the door's mesh node, which shows it the stamps of changes
        # made at other doors (docs/peers.md).
        self.door_clock = door_clock

    def _door_time(self) -> datetime:
        """A hybrid-clock stamp as door time: the laptop's time, but always later than
        every change this door made or learned of before.

        Changes are ordered by door time; two made in the same millisecond, after the
        laptop's clock stepped back, or after a check-in seen from a door whose clock
        is ahead, must keep the order they were made in (domain/hlc.py; the clock is
        thread-safe: scans decide on the GUI thread, the guest list's actions on the
        window's worker threads).
        """
        return door_time(self.door_clock.now())

    def scan(
        self, raw: str | bytes, source: str = "scanner", requested: Action | None = None
    ) -> ScanOutcome:
        """A code from the camera, a scanner or the keyboard."""
        check = clean_code(raw, self.access_code_pattern)
        shown = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        if check.code is None:
            with self.store.write() as conn:
                self.store.journal_scan(conn, shown, source, VerdictKind.INVALID_CODE.value, None)
            return ScanOutcome(Verdict(VerdictKind.INVALID_CODE, invalid=check.invalid), None)
        code = check.code
        try:
            with self.store.write() as conn:
                view = self.store.guest_by_code(code, conn)
                verdict, changes = self._decide(conn, view, requested, code, source)
        except OperationalError as exc:
            return _not_recorded(exc, code)
        return self._after(verdict, code, view, changes)

    def act(self, guest_id: str, action: Action, source: str = "manual") -> ScanOutcome:
        """A manual check-in or check-out from the guest list."""
        try:
            with self.store.write() as conn:
                view = self.store.guest_by_id(guest_id, conn)
                code = (view.guest.access_code if view else None) or guest_id
                verdict, changes = self._decide(conn, view, action, code, source)
        except OperationalError as exc:
            return _not_recorded(exc, None)
        return self._after(verdict, None, view, changes)

    def check_in_party(self, guest_id: str, companion_ids: Sequence[str]) -> list[ScanOutcome]:
        """A guest and chosen companions in one transaction: all are recorded, or none."""
        outcomes: list[tuple[Verdict, GuestView | None, list[OutgoingChange]]] = []
        try:
            with self.store.write() as conn:
                for person in (guest_id, *companion_ids):
                    view = self.store.guest_by_id(person, conn)
                    code = (view.guest.access_code if view else None) or person
                    verdict, changes = self._decide(conn, view, Action.CHECK_IN, code, "party")
                    outcomes.append((verdict, view, changes))
        except OperationalError as exc:
            return [_not_recorded(exc, None) for _ in (guest_id, *companion_ids)]
        everything = [c for _, _, changes in outcomes for c in changes]
        self._remember(everything)
        return [
            self._outcome(v, None, view, tuple(c.nonce for c in changes))
            for v, view, changes in outcomes
        ]

    def add_companion(
        self, parent_id: str, fields: dict[str, FieldValue], check_in: bool = True
    ) -> Guest:
        """A companion who came along unannounced, added (and checked in) at the door;
        NotRecordedError when the disk is full (then nothing of it is recorded)."""
        companion = Guest(
            id=str(uuid.uuid4()),
            parent_id=parent_id,
            registration_state=RegistrationState.REGISTERED,
            fields=dict(fields),
        )
        changes = [
            OutgoingChange(
                str(uuid.uuid4()),
                Action.ADD_COMPANION,
                companion.id,
                self._door_time(),
                parent_id=parent_id,
                fields=dict(fields),
            )
        ]
        if check_in:
            checked_in = self._door_time()
            changes.append(
                OutgoingChange(str(uuid.uuid4()), Action.CHECK_IN, companion.id, checked_in)
            )
        try:
            with self.store.write() as conn:
                if self.store.guest_by_id(parent_id, conn) is None:
                    raise KeyError(parent_id)
                self.store.add_changes(conn, changes, self.station)
                self.store.add_local_guest(conn, companion)
        except OperationalError as exc:
            if is_disk_full(exc):
                raise NotRecordedError from exc
            raise
        if check_in:
            self._remember(changes[1:])
        self._notify()
        return companion

    def check_out_everyone(self) -> int:
        """Check out every guest inside now, as this door knows it, in one durable
        transaction (the daily check-out, docs/occupancy.md); how many.

        Only at a door whose mode allows check-outs: the server refuses a check-out
        made at a check-in station, so one made here would be rejected later.
        """
        if self.mode == Mode.CHECK_IN:
            raise ValueError("a check-in station does not check guests out")
        with self.store.write() as conn:
            changes = [
                OutgoingChange(str(uuid.uuid4()), Action.CHECK_OUT, guest_id, self._door_time())
                for guest_id in self.store.reports.inside_ids(conn)
            ]
            if changes:
                self.store.add_changes(conn, changes, self.station)
        if changes:
            self._notify()
        return len(changes)

    def undo_last(self) -> bool:
        """Take back the last check-in or check-out, if it was at most 15 s ago."""
        last = self._last
        if last is None or self._clock() - last.at > UNDO_WINDOW:
            return False
        changes = [
            OutgoingChange(
                str(uuid.uuid4()), Action.UNDO, guest_id, self._door_time(), target_nonce=nonce
            )
            for nonce, guest_id in zip(last.nonces, last.guest_ids, strict=True)
        ]
        with self.store.write() as conn:
            self.store.add_changes(conn, changes, self.station)
        self._last = None
        self._notify()
        return True

    @property
    def undo_available_until(self) -> datetime | None:
        return self._last.at + UNDO_WINDOW if self._last else None

    # -- helpers --------------------------------------------------------------------

    def _decide(
        self,
        conn: Connection,
        view: GuestView | None,
        requested: Action | None,
        code: str,
        source: str,
    ) -> tuple[Verdict, list[OutgoingChange]]:
        """Inside the caller's transaction: the verdict, its change queued, the scan
        journaled, so the three are on disk together or not at all."""
        verdict = decide(view.guest if view else None, self.mode, requested)
        changes = self._changes_for(verdict)
        if changes:
            self.store.add_changes(conn, changes, self.station)
        self.store.journal_scan(
            conn, code, source, verdict.kind.value, view.guest.id if view else None
        )
        return verdict, changes

    def _changes_for(self, verdict: Verdict) -> list[OutgoingChange]:
        if verdict.action is None or verdict.guest is None:
            return []
        change_time = self._door_time()
        return [OutgoingChange(str(uuid.uuid4()), verdict.action, verdict.guest.id, change_time)]

    def _after(
        self,
        verdict: Verdict,
        code: str | None,
        view: GuestView | None,
        changes: list[OutgoingChange],
    ) -> ScanOutcome:
        if changes:
            self._remember(changes)
        return self._outcome(verdict, code, view, tuple(c.nonce for c in changes))

    def _outcome(
        self, verdict: Verdict, code: str | None, view: GuestView | None, nonces: tuple[str, ...]
    ) -> ScanOutcome:
        """The answer, with what the steward must see of an admitted guest: the
        attention texts (an amber answer that waits for a steward) and the tags."""
        guest = verdict.guest
        admitted = guest is not None and verdict.kind == VerdictKind.ADMIT
        return ScanOutcome(
            verdict,
            code,
            main_guest=view.main_guest if view else None,
            companions=view.companions if view else [],
            nonces=nonces,
            attention=self.answer_rules.attention(guest) if admitted and guest else (),
            tags=self.answer_rules.tags(guest) if guest is not None else (),
        )

    def _remember(self, changes: list[OutgoingChange]) -> None:
        if not changes:
            return
        self._last = _LastAction(
            tuple(c.nonce for c in changes), tuple(c.guest_id for c in changes), self._clock()
        )
        self._notify()

    def _notify(self) -> None:
        if self.on_change is not None:
            self.on_change()
