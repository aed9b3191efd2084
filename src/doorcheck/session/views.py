"""What the window and the command line show: plain values, no SQL.

The store fills them; the UI reads them without importing the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from doorcheck.domain.guest import Guest

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


@dataclass(frozen=True)
class Statistics:
    """What the statistics screen shows; arrivals in 5-minute buckets (UTC starts)."""

    arrivals: list[tuple[datetime, int]]
    inside: int
    guests: int
    stations: list[StationCount]


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
    message: str | None
    last_error: str | None
    code: int | None = None  # the server's reason code of a rejection (or conflict)
