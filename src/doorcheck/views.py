"""What the window and the command line show: plain values, no SQL, no Qt.

The store, the check-in service and the workers fill them; the UI reads them
without importing any of those (an import contract holds it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from doorcheck.domain.guest import Guest
from doorcheck.domain.occupancy import DoorZone, Occupancy
from doorcheck.domain.verdict import Verdict
from doorcheck.words import Phrase

# Arrivals are counted in slots of this many minutes (the statistics screen's bars);
# the store's report SQL and the panel's axis must agree on it.
BUCKET_MINUTES = 5


@dataclass(frozen=True)
class GuestView:
    """A guest as the door shows it: the server's copy with pending changes over it."""

    guest: Guest
    main_guest: Guest | None = None  # for a companion: whom it belongs to
    companions: list[Guest] = field(default_factory=list)
    pending: int = 0  # this door's changes for the guest not yet answered


@dataclass(frozen=True)
class SearchHit:
    guest: Guest
    main_name: str | None  # for a companion, its main guest's name


class SearchHits(list[SearchHit]):
    """Search results; ``broad`` when too many matched to rank them all."""

    def __init__(self, hits: Iterable[SearchHit] = (), *, broad: bool = False) -> None:
        super().__init__(hits)
        self.broad = broad


@dataclass(frozen=True)
class StoreStatus:
    guests: int
    checked_in: int
    pending: int
    conflicts: int
    rejected: int
    cursor: str | None
    last_sync: str | None
    last_full_sync: str | None
    last_error: str | None
    clock_skew_seconds: float | None
    unreadable: int = 0  # guests set aside because they could not be read


@dataclass(frozen=True)
class StationCount:
    station: str
    arrivals: int  # guests whose (latest) check-in was at this station
    departures: int  # guests out now who checked out here
    inside: int = 0  # guests inside now who came in here


@dataclass(frozen=True)
class Statistics:
    """What the statistics screen shows; arrivals in 5-minute buckets (UTC starts)."""

    arrivals: list[tuple[datetime, int]]
    inside: int
    guests: int
    stations: list[StationCount]
    # Inside per zone and in all against the capacities (docs/occupancy.md).
    occupancy: Occupancy = field(default_factory=Occupancy)


@dataclass(frozen=True)
class ChangeView:
    """An outbox row for the list of changes staff can open."""

    nonce: str
    guest_id: str
    guest_name: str
    action: str
    door_time: str
    state: str
    attempts: int
    message: str | None  # the server's own words for its answer
    last_error: str | None
    code: int | None = None  # the server's reason code of a rejection (or conflict)
    note: str | None = None  # the door's own finding about it, as a code ("superseded")
    note_data: Mapping[str, str | None] = field(default_factory=dict)  # what the note needs


# -- what a scan, the sync and the forwarder report ---------------------------------


@dataclass(frozen=True)
class ScanOutcome:
    """What the screen shows for one scan or manual action."""

    verdict: Verdict  # what happened, as codes and data (doorcheck.wording words it)
    code: str | None
    main_guest: Guest | None = None  # for a companion: whose companion
    companions: list[Guest] = field(default_factory=list)
    nonces: tuple[str, ...] = ()  # changes recorded, for undo
    # For an admitted guest: what a steward must not miss (domain.attention); the
    # window's answer turns amber and waits for a steward to acknowledge it.
    attention: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # the guest's labels ("VIP", "vegetarian")

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


class NotRecordedError(Exception):
    """The laptop's disk is full: the change was not recorded, nothing of it is on disk."""


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows; online is None until the first attempt."""

    online: bool | None
    last_success: datetime | None
    last_error: str | Phrase | None  # English when printed; ui.i18n.say translates
    retry_in: float | None  # seconds until the next attempt after a failure


@dataclass(frozen=True)
class ForwardStatus:
    sent: int
    waiting: int
    held: int  # no email: cannot be sent as they are
    problem: str | Phrase | None  # English when printed; ui.i18n.say translates
    blocked: bool  # the key was refused: nothing is sent until the settings change


@dataclass(frozen=True, slots=True)
class PeerView:
    """Another door of the event's mesh, as this door last heard of it
    (docs/peers.md): for `doorcheck status` and the window's list of doors."""

    door_id: str
    station: str
    address: str | None
    last_heard: datetime | None
    stale: bool  # not heard from for 30 s (or never)
    held: int  # how many of its changes this door holds
    clock_offset_ms: int | None  # its clock minus this laptop's
    problem: str | None  # why it was last refused or dropped, as a code
    zone: DoorZone | None = None  # the zone it said it is in


@dataclass(frozen=True, slots=True)
class DoorOptions:
    """What staff set for this door of the event in the window's settings
    (docs/occupancy.md): its zone, the zone's capacity, the daily check-out."""

    zone: str = ""  # empty: the server's plan holds
    capacity: int | None = None
    check_out_at: str | None = None  # "HH:MM", or None for none
    can_check_out: bool = True  # False at a check-in station: the server would refuse
