"""The change-log fold: order-independent, earliest check-in wins, undo removes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from doorcheck.domain.changes import Action, ChangeRecord, Effect, Presence, fold_presence

T0 = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)


def change(
    nonce: str, action: Action, minutes: float, station: str = "Main", target: str | None = None
) -> ChangeRecord:
    return ChangeRecord(nonce, "g1", action, T0 + timedelta(minutes=minutes), station, target)


def test_earliest_check_in_wins_and_the_later_one_conflicts() -> None:
    late = change("b", Action.CHECK_IN, 5, "Side Door")
    early = change("a", Action.CHECK_IN, 1, "Main Entrance")
    result = fold_presence([late, early])
    assert result.presence.check_in == early.door_time
    assert result.presence.check_in_station == "Main Entrance"
    assert result.effects == {"a": Effect.APPLIED, "b": Effect.CONFLICT}
    assert result.conflicts_with["b"] == "a"


def test_toggle_sequence_in_out_in() -> None:
    result = fold_presence(
        [
            change("1", Action.CHECK_IN, 1),
            change("2", Action.CHECK_OUT, 2),
            change("3", Action.CHECK_IN, 3),
        ]
    )
    assert result.presence.inside
    assert result.presence.check_in == T0 + timedelta(minutes=3)
    assert result.presence.check_out == T0 + timedelta(minutes=2)
    assert set(result.effects.values()) == {Effect.APPLIED}


def test_check_out_while_outside_is_a_conflict() -> None:
    result = fold_presence([change("1", Action.CHECK_OUT, 1)])
    assert result.effects["1"] == Effect.CONFLICT
    assert not result.presence.inside


def test_undo_takes_a_check_in_back_entirely() -> None:
    result = fold_presence(
        [change("1", Action.CHECK_IN, 1), change("u", Action.UNDO, 2, target="1")]
    )
    assert result.presence == Presence()
    assert result.effects["1"] == Effect.UNDONE


def test_undo_of_the_first_check_in_lets_the_second_apply() -> None:
    result = fold_presence(
        [
            change("1", Action.CHECK_IN, 1, "A"),
            change("2", Action.CHECK_IN, 2, "B"),
            change("u", Action.UNDO, 3, target="1"),
        ]
    )
    assert result.presence.check_in_station == "B"
    assert result.effects["2"] == Effect.APPLIED


def test_ties_on_door_time_are_broken_by_station_then_nonce() -> None:
    result = fold_presence(
        [change("z", Action.CHECK_IN, 1, "B"), change("y", Action.CHECK_IN, 1, "A")]
    )
    assert result.presence.check_in_station == "A"


def test_pending_changes_lay_over_a_base_state() -> None:
    base = Presence(check_in=T0, check_in_station="Main", check_in_nonce="srv")
    result = fold_presence([change("1", Action.CHECK_OUT, 10)], base=base)
    assert not result.presence.inside
    assert result.presence.check_out == T0 + timedelta(minutes=10)


def test_offsets_do_not_change_the_order() -> None:
    vienna = datetime(2026, 11, 21, 19, 1, tzinfo=UTC).astimezone(
        __import__("datetime").timezone(timedelta(hours=1))
    )
    utc_earlier = change("u", Action.CHECK_IN, 0.5)  # 18:00:30 UTC
    local_later = ChangeRecord("v", "g1", Action.CHECK_IN, vienna, "Main")  # 18:01 UTC
    result = fold_presence([local_later, utc_earlier])
    assert result.presence.check_in_nonce == "u"


actions = st.sampled_from([Action.CHECK_IN, Action.CHECK_OUT])
records = st.lists(
    st.tuples(actions, st.integers(0, 120), st.sampled_from(["A", "B", "C"])),
    min_size=1,
    max_size=12,
).map(lambda items: [change(f"n{i}", a, m, s) for i, (a, m, s) in enumerate(items)])


@given(records, st.randoms())
def test_every_arrival_order_gives_the_same_state(items: list[ChangeRecord], rng: object) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    first, second = fold_presence(items), fold_presence(shuffled)
    assert first.presence == second.presence
    assert first.effects == second.effects
