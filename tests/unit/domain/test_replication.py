"""The grow-only log's intake: any delivery order ends in the same set."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from doorcheck.domain.changes import Action
from doorcheck.domain.replication import LoggedChange, beyond, intake, merged

T0 = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)


def made(origin: str, seq: int) -> LoggedChange:
    return LoggedChange(origin, seq, f"{origin}-{seq}", "g", Action.CHECK_IN, T0, origin)


logs = st.dictionaries(st.sampled_from("ABCDE"), st.integers(0, 8), max_size=5)


@given(logs, st.randoms(use_true_random=False), st.integers(1, 6))
def test_deliveries_in_any_order_and_batches_end_with_every_change_once(
    counts: dict[str, int], rnd: object, batch: int
) -> None:
    everything = [made(o, s) for o, n in counts.items() for s in range(1, n + 1)]
    shuffled = list(everything) * 2  # every change offered twice
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    have: dict[str, int] = {}
    held: list[LoggedChange] = []
    pending = shuffled
    for _ in range(100_000):  # ends when nothing is left to offer
        if not pending:
            break
        offered, pending = pending[:batch], pending[batch:]
        plan = intake(have, offered)
        held.extend(plan.take)
        for change in plan.take:
            assert change.seq == have.get(change.origin, 0) + 1
            have[change.origin] = change.seq
        # What could not be taken (a gap) is offered again later, as a catch-up would.
        left = [c for c in offered if c.seq > have.get(c.origin, 0)]
        pending = pending + left
    assert sorted(c.nonce for c in held) == sorted(c.nonce for c in everything)
    assert have == {o: n for o, n in counts.items() if n}


@given(logs, logs)
def test_what_one_holds_beyond_the_other_makes_the_merge(
    a: dict[str, int], b: dict[str, int]
) -> None:
    extra = beyond(a, b)
    assert all(n > 0 for n in extra.values())
    combined = merged(b, {o: b.get(o, 0) + n for o, n in extra.items()})
    assert combined == merged(a, b)
    assert merged(a, b) == merged(b, a)
