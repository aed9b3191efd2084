"""The failed-login brake, kept in the database so every worker process shares it.

Failures are counted per client address and per station (event and station name),
over a window. No success clears them: a thief with one valid App Code cannot reset
the count while guessing another. Past a free allowance each further attempt must
wait a delay that doubles with every failure, up to a cap: guessing slows to a crawl,
while the real door, at worst, waits that cap (never a long lockout).

An attempt is recorded as a failure *before* its App Code is checked, in one short
write transaction, and taken back if it succeeds: a burst of parallel guesses is
serialized on that transaction, so no more than the free allowance is ever checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select, update

from doorcheck.server import db


@dataclass(frozen=True)
class Budget:
    """Failures allowed for free in the window, then a doubling delay up to a cap."""

    free: int
    first_delay: timedelta
    max_delay: timedelta


@dataclass(frozen=True)
class BrakeSettings:
    window: timedelta = timedelta(minutes=15)
    # Attempts in flight count as failures until they succeed, so the free allowance
    # also bounds a parallel burst; 10 leaves room for a venue's doors behind one NAT
    # all logging in at once.
    per_address: Budget = Budget(10, timedelta(seconds=4), timedelta(seconds=60))
    # Larger: every door of a station shares it, behind one NAT or several.
    per_station: Budget = Budget(30, timedelta(seconds=4), timedelta(seconds=60))
    # Proxies whose X-Forwarded-For is believed; nobody's by default.
    trusted_proxies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Attempt:
    """A login attempt admitted by the brake: its provisional failure rows."""

    row_ids: tuple[int, ...]


class LoginRefusedError(Exception):
    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"wait {wait}")
        self.wait = wait


def delay_after(failures: int, budget: Budget) -> timedelta:
    """The gap the next attempt must keep after the last failure."""
    if failures < budget.free:
        return timedelta(0)
    doublings = min(failures - budget.free, 30)  # 2**30 s is past any cap
    grown: timedelta = budget.first_delay * 2**doublings
    return min(budget.max_delay, grown)


def client_address(peer: str | None, forwarded_for: str | None, trusted: frozenset[str]) -> str:
    """The address a login is counted against.

    X-Forwarded-For is read only when the peer is a configured proxy, and then its
    last entry that is not itself a trusted proxy (earlier entries are the client's
    to invent). Addresses are normalized so one host has one spelling.
    """
    address = peer or "unknown"
    if forwarded_for and address in trusted:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        while hops and hops[-1] in trusted:
            hops.pop()
        if hops:
            address = hops[-1]
    try:
        return str(ipaddress.ip_address(address))[:64]
    except ValueError:
        return "invalid:" + address[:40]


class LoginBrake:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        settings: BrakeSettings | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings or BrakeSettings()

    def subjects(self, address: str, event_id: str, station_name: str) -> list[tuple[str, Budget]]:
        station = f"station:{event_id}:{station_name.strip().lower()}"
        return [
            (f"address:{address}", self.settings.per_address),
            (station[:200], self.settings.per_station),
        ]

    def admit(self, subjects: Sequence[tuple[str, Budget]]) -> Attempt:
        """Admit an attempt now, recording it as a failure, or raise LoginRefusedError."""
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            # The clock row's lock serializes attempts on PostgreSQL as SQLite's
            # write lock does: parallel guesses are counted one after another.
            conn.execute(
                update(db.server_clock)
                .where(db.server_clock.c.id == 1)
                .values(last=db.server_clock.c.last)
            )
            now = self.clock()  # read under the lock: never before an earlier attempt's
            conn.execute(
                delete(db.login_failures).where(db.login_failures.c.at < now - self.settings.window)
            )
            wait = timedelta(0)
            for subject, budget in subjects:
                count, last = conn.execute(
                    select(func.count(), func.max(db.login_failures.c.at)).where(
                        db.login_failures.c.subject == subject
                    )
                ).one()
                if last is not None and count >= budget.free:
                    wait = max(wait, last + delay_after(count, budget) - now)
            if wait > timedelta(0):
                raise LoginRefusedError(wait)
            ids = [
                conn.execute(
                    insert(db.login_failures)
                    .values(subject=subject, at=now)
                    .returning(db.login_failures.c.id)
                ).scalar_one()
                for subject, _ in subjects
            ]
        return Attempt(tuple(ids))

    def succeeded(self, attempt: Attempt) -> None:
        """Take back the attempt's failure rows; earlier failures stay counted."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(db.login_failures).where(db.login_failures.c.id.in_(attempt.row_ids))
            )
