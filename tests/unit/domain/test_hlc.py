"""The hybrid logical clock (domain/hlc.py): properties over random clocks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorcheck.domain.hlc import MAX_COUNTER, ClockDriftError, HybridClock, Stamp

T0 = 1_800_000_000_000  # ms; a day in 2027


class Wall:
    """A laptop's clock the test moves, forwards or back."""

    def __init__(self, at: int = T0) -> None:
        self.at = at

    def __call__(self) -> int:
        return self.at


@given(st.lists(st.integers(-5_000, 5_000), min_size=1, max_size=200))
def test_a_door_never_hands_out_the_same_or_an_earlier_stamp(steps: list[int]) -> None:
    wall = Wall()
    clock = HybridClock("door-a", wall=wall)
    earlier = clock.now()
    for step in steps:
        wall.at += step  # forwards, or back (NTP, a user fixing the clock)
        stamp = clock.now()
        assert stamp > earlier
        assert stamp.wall_ms >= wall.at  # never behind the laptop's own clock
        earlier = stamp


@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(["make", "send"]), st.integers(0, 3)),
        max_size=150,
    ),
    st.lists(st.integers(-3_600_000, 3_600_000), min_size=3, max_size=3),
)
def test_a_change_made_after_another_was_seen_is_ordered_after_it(
    events: list[tuple[int, str, int]], skews: list[int]
) -> None:
    # Three doors whose clocks are up to an hour apart exchange changes at random.
    walls = [Wall(T0 + skew) for skew in skews]
    clocks = [
        HybridClock(f"door-{i}", wall=wall, max_ahead_ms=3 * 3_600_000)
        for i, wall in enumerate(walls)
    ]
    seen_by: list[list[Stamp]] = [[], [], []]
    for door, kind, tick in events:
        for wall in walls:
            wall.at += tick
        stamp = clocks[door].now()
        assert all(stamp > seen for seen in seen_by[door])
        if kind == "send":
            other = (door + 1) % 3
            clocks[other].observe(stamp)
            seen_by[other].append(stamp)
        seen_by[door].append(stamp)


def test_a_stamp_from_far_in_the_future_is_refused_and_changes_nothing() -> None:
    wall = Wall()
    clock = HybridClock("door-a", wall=wall, max_ahead_ms=15 * 60_000)
    before = clock.now()
    two_hours_ahead = Stamp(T0 + 2 * 3_600_000, 0, "door-b")
    with pytest.raises(ClockDriftError, match="120 min ahead"):
        clock.observe(two_hours_ahead)
    after = clock.now()
    assert after.wall_ms == before.wall_ms and after.counter == before.counter + 1
    clock.observe(Stamp(T0 + 10 * 60_000, 7, "door-b"))  # ten minutes: within bounds
    assert clock.now() > Stamp(T0 + 10 * 60_000, 7, "door-b")


def test_a_restarted_door_continues_after_the_stamp_it_kept() -> None:
    kept = Stamp(T0 + 60_000, 3, "door-a")
    wall = Wall(T0)  # the laptop's clock went back a minute while it was off
    clock = HybridClock("door-a", wall=wall, last=kept)
    assert clock.now() > kept


def test_the_counter_moves_to_the_next_millisecond_instead_of_overflowing() -> None:
    wall = Wall()
    clock = HybridClock("door-a", wall=wall)
    stamps = [clock.now() for _ in range(MAX_COUNTER + 3)]  # the wall clock stands still
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert max(s.counter for s in stamps) == MAX_COUNTER
    assert stamps[-1].wall_ms == T0 + 1


@given(
    st.integers(0, 9_999_999_999_999),
    st.integers(0, MAX_COUNTER),
    st.text(min_size=1, max_size=64),
    st.integers(0, 9_999_999_999_999),
    st.integers(0, MAX_COUNTER),
)
def test_the_text_form_sorts_as_the_stamp_and_reads_back(
    wall: int, counter: int, node: str, other_wall: int, other_counter: int
) -> None:
    one, two = Stamp(wall, counter, node), Stamp(other_wall, other_counter, node)
    assert Stamp.parse(one.text()) == one
    assert (one.text() < two.text()) == (one < two)


@pytest.mark.parametrize("garbage", ["", "12-0001-a", "1800000000000-zzzz-a", "x" * 200])
def test_what_is_not_a_stamp_is_refused(garbage: str) -> None:
    with pytest.raises(ClockDriftError):
        Stamp.parse(garbage)


def test_a_door_needs_a_name() -> None:
    with pytest.raises(ValueError):
        HybridClock("")
