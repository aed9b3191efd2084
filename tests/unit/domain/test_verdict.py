"""The verdict engine and code validation (pure domain code)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.codes import MAX_CODE_LENGTH, InvalidCode, clean_code
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.verdict import Mode, VerdictKind, decide

T = datetime(2026, 11, 21, 17, 31, tzinfo=UTC)


def guest(**kw: object) -> Guest:
    base: dict[str, object] = {
        "id": "g",
        "access_code": "C",
        "registration_state": RegistrationState.REGISTERED,
        "fields": {"firstName": "Jane", "lastName": "Doe"},
    }
    base.update(kw)
    return Guest(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", list(Mode))
def test_nobody_and_deleted(mode: Mode) -> None:
    assert decide(None, mode).kind == VerdictKind.NOT_ON_LIST
    assert decide(guest(delete_time=T), mode).kind == VerdictKind.DELETED


def test_check_in_only_station() -> None:
    first = decide(guest(), Mode.CHECK_IN)
    assert (first.kind, first.action) == (VerdictKind.ADMIT, Action.CHECK_IN)
    again = decide(guest(check_in=T, check_in_station="Main Entrance"), Mode.CHECK_IN)
    assert again.kind == VerdictKind.ALREADY_IN and again.action is None
    assert again.since == T and again.station == "Main Entrance"


def test_re_entry_after_check_out_depends_on_the_mode() -> None:
    left = guest(check_in=T, check_out=T.replace(minute=45))
    assert decide(left, Mode.CHECK_IN).kind == VerdictKind.ADMIT  # re-entry allowed
    assert decide(left, Mode.TOGGLE).kind == VerdictKind.ADMIT
    assert decide(left, Mode.CHECK_OUT).kind == VerdictKind.NOT_INSIDE


def test_toggle_station_alternates() -> None:
    inside = guest(check_in=T)
    out = decide(inside, Mode.TOGGLE)
    assert (out.kind, out.action) == (VerdictKind.EXIT, Action.CHECK_OUT)
    assert decide(guest(), Mode.TOGGLE).kind == VerdictKind.ADMIT


def test_exit_door() -> None:
    assert decide(guest(check_in=T), Mode.CHECK_OUT).action == Action.CHECK_OUT
    assert decide(guest(), Mode.CHECK_OUT).kind == VerdictKind.NOT_INSIDE


def test_deregistered_guests_are_refused_but_may_leave() -> None:
    off = guest(registration_state=RegistrationState.DEREGISTERED)
    assert decide(off, Mode.CHECK_IN).kind == VerdictKind.DEREGISTERED
    inside = guest(registration_state=RegistrationState.DEREGISTERED, check_in=T)
    assert decide(inside, Mode.CHECK_OUT).kind == VerdictKind.EXIT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ABC123", "ABC123"),
        ("  ABC123\r\n", "ABC123"),
        ("\x02ABC123\x03", "ABC123"),  # STX/ETX framing some scanners add
        ("ABC\u200b123", "ABC123"),  # zero-width space
        ("\u202eABC123", "ABC123"),  # right-to-left override
        (b"ABC123", "ABC123"),
    ],
)
def test_codes_are_cleaned(raw: str | bytes, expected: str) -> None:
    assert clean_code(raw).code == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", InvalidCode.EMPTY),
        ("   ", InvalidCode.EMPTY),
        ("\x00\x01\x02", InvalidCode.EMPTY),
        ("x" * (MAX_CODE_LENGTH + 1), InvalidCode.TOO_LONG),
        ("y" * 10_000, InvalidCode.TOO_LONG),
        (b"\xff\xfe\xfa", InvalidCode.NOT_TEXT),
    ],
)
def test_garbage_is_refused_with_a_reason(raw: str | bytes, reason: InvalidCode) -> None:
    check = clean_code(raw)
    assert (check.code, check.invalid) == (None, reason)
    assert clean_code("ABC123").invalid is None


def test_the_events_pattern_is_applied() -> None:
    assert clean_code("DC-1234", r"DC-\d{4}").code == "DC-1234"
    refused = clean_code("http://evil.example", r"DC-\d{4}")
    assert (refused.code, refused.invalid) == (None, InvalidCode.WRONG_EVENT)


def test_a_station_refuses_what_its_mode_does_not_do() -> None:
    inside = guest(check_in=T)
    out = decide(inside, Mode.CHECK_IN, Action.CHECK_OUT)
    assert (out.kind, out.action, out.action_refused) == (
        VerdictKind.WRONG_MODE, None, Action.CHECK_OUT)  # fmt: skip
    came = decide(guest(), Mode.CHECK_OUT, Action.CHECK_IN)
    assert (came.kind, came.action, came.action_refused) == (
        VerdictKind.WRONG_MODE, None, Action.CHECK_IN)  # fmt: skip
    # A toggle station does both; the other directions stay allowed.
    assert decide(inside, Mode.TOGGLE, Action.CHECK_OUT).kind == VerdictKind.EXIT
    assert decide(guest(), Mode.CHECK_IN, Action.CHECK_IN).kind == VerdictKind.ADMIT
    assert decide(inside, Mode.CHECK_OUT, Action.CHECK_OUT).kind == VerdictKind.EXIT
