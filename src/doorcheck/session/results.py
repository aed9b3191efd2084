"""What the door session's use cases return: plain values, printed by the command
line and shown by the window."""

from __future__ import annotations

from dataclasses import dataclass, field

from doorcheck.domain.occupancy import DoorZone, Occupancy
from doorcheck.sync.health import StoredFailure
from doorcheck.views import ChangeView, PeerView, ScanOutcome, StoreStatus
from doorcheck.words import Phrase


@dataclass(frozen=True)
class GivenLogin:
    """A station login typed on the command line instead of the saved one."""

    server: str
    event_id: str
    app_code: str
    station: str


@dataclass(frozen=True)
class SyncSummary:
    """One round with the door's source."""

    source: str  # "station", or the connector's name ("spreadsheet", "XING Events")
    full: bool
    guests_received: int
    uploaded: int
    conflicts: int
    rejected: int
    checked_in: int
    guests: int


@dataclass(frozen=True)
class CheckSummary:
    """A check-in or check-out typed at the command line, and its upload."""

    outcome: ScanOutcome
    recorded: bool
    upload: str  # "uploaded", "recorded", or why it waits


@dataclass(frozen=True)
class DoorReport:
    """What `doorcheck status` shows of a door."""

    event: dict[str, object]
    station: str
    source: str
    list_file: str | None  # a spreadsheet door's file
    online: bool | None  # None: not asked
    status: StoreStatus
    failures: list[StoredFailure]
    changes: list[ChangeView] | None = None  # None: not asked for
    door_id: str = ""
    peers: list[PeerView] = field(default_factory=list)  # the other doors, last heard
    # Inside per zone and in all (docs/occupancy.md), and the daily check-out.
    occupancy: Occupancy = field(default_factory=Occupancy)
    door_zone: DoorZone | None = None  # set at this door for its station
    check_out_at: str | None = None  # "HH:MM", the daily check-out, if set
    key_vault: str | None = None  # an encrypted door's key: "keyring" or "file"; None: plain


@dataclass(frozen=True)
class ForwardSummary:
    sent: int
    waiting: int
    held: int
    problem: str | Phrase | None
    blocked: bool
    held_back: list[tuple[str, str]]
