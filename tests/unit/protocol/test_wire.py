"""Reading the wire leniently and writing it strictly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from doorcheck.domain.guest import RegistrationState
from doorcheck.domain.timeutil import format_datetime, parse_datetime
from doorcheck.protocol.errors import BadResponseError
from doorcheck.protocol.wire import (
    ChangeResult,
    StationConfiguration,
    guest_from_json,
    guest_to_json,
)

# The guest object exactly as the public documentation prints it.
DOCUMENTED_GUEST: dict[str, Any] = {
    "id": "2e1a7138-9114-496b-8dfe-5b30e3b329f1",
    "parentId": "bf291cd3-14f3-41ff-93ab-2fa2d59de73a",
    "accessCode": "abcdef",
    "clientUpdateDateTime": "2017-06-01T18:30:00+02:00",
    "serverUpdateDateTime": "2017-06-01T18:30:00+02:00",
    "checkInDateTime": "2017-06-01T18:30:00+02:00",
    "checkOutDateTime": None,
    "deleteDateTime": None,
    "registrationState": "registered",
    "highlightColor": "#ffeedd",
    "fields": {
        "salutation": "Mr.",
        "lastName": "Smith",
        "firstName": "John",
        "titlePrefix": "Dr",
        "titleSuffix": "MSc",
        "company": "My Company",
        "position": "CIO",
        "street": "Stephansplatz",
        "houseNumber": "1",
        "postalCode": "1010",
        "city": "Vienna",
        "country": "AT",
        "phone": "+43 1 234 5678",
        "mobilePhone": "+43 6999 12 34 56 78",
        "fax": None,
        "email": "mymail@example.org",
        "externalId": None,
        "notes": "This is useful information.",
        "customField1": "green",
        "customField13": "yes",
        "customField47": ["vegetarian", "vegan"],
    },
    "companions": [
        {"id": "20c36bba-aeca-4c27-9d50-57a02ead4bb1"},
        {"id": "bb1f8ca9-bba2-4f89-b078-b1fd2eb1f8a6"},
    ],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-01-01T18:30:00+02:00", datetime(2018, 1, 1, 16, 30, tzinfo=UTC)),
        ("2018-01-01T18:30:00Z", datetime(2018, 1, 1, 18, 30, tzinfo=UTC)),
        ("2018-01-01 18:30:00", datetime(2018, 1, 1, 18, 30, tzinfo=UTC)),
        ("2018-01-01T18:30:00", datetime(2018, 1, 1, 18, 30, tzinfo=UTC)),
        ("2018-01-01T18:30:00.250+00:00", datetime(2018, 1, 1, 18, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_date_times_parse_leniently(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["2018-01-...", "", "yesterday", None, 12, "2018-13-45"])
def test_unreadable_date_times_give_none(text: object) -> None:
    assert parse_datetime(text) is None


def test_date_times_are_written_as_iso_8601_with_offset() -> None:
    assert format_datetime(datetime(2018, 1, 1, 18, 30)) == "2018-01-01T18:30:00+00:00"
    plus2 = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2018, 1, 1, 18, 30, tzinfo=plus2)) == (
        "2018-01-01T18:30:00+02:00"
    )


def test_the_documented_guest_reads_every_field() -> None:
    guest = guest_from_json(DOCUMENTED_GUEST)
    assert guest.access_code == "abcdef"
    assert guest.parent_id == "bf291cd3-14f3-41ff-93ab-2fa2d59de73a"
    assert guest.registration_state == RegistrationState.REGISTERED
    assert guest.highlight_color == "#ffeedd"
    assert guest.check_in == datetime(2017, 6, 1, 16, 30, tzinfo=UTC)
    assert guest.fields["customField47"] == ["vegetarian", "vegan"]
    assert guest.fields["customField1"] == "green"
    assert guest.companion_ids == [
        "20c36bba-aeca-4c27-9d50-57a02ead4bb1",
        "bb1f8ca9-bba2-4f89-b078-b1fd2eb1f8a6",
    ]
    assert guest.is_checked_in


def test_the_documented_guest_round_trips_unchanged() -> None:
    assert guest_to_json(guest_from_json(DOCUMENTED_GUEST)) == DOCUMENTED_GUEST


def test_unknown_fields_and_unreadable_dates_are_kept() -> None:
    obj = dict(
        DOCUMENTED_GUEST,
        seatNumber="A12",
        checkOutDateTime="soon",
        companions=[{"id": "x", "name": "kept"}],
    )
    obj["fields"] = dict(obj["fields"], customField99=["a", "b"])
    again = guest_to_json(guest_from_json(obj))
    assert again["seatNumber"] == "A12"
    assert again["checkOutDateTime"] == "soon"
    assert again["companions"] == [{"id": "x", "name": "kept"}]
    assert again["fields"]["customField99"] == ["a", "b"]
    json.dumps(again)  # still serializable


def test_a_guest_without_id_is_a_bad_response() -> None:
    with pytest.raises(BadResponseError):
        guest_from_json({"accessCode": "x"})
    with pytest.raises(BadResponseError):
        guest_from_json({"id": "1", "fields": "nope"})


def test_unknown_registration_states_read_as_unknown() -> None:
    assert guest_from_json({"id": "1", "registrationState": "weird"}).registration_state == (
        RegistrationState.UNKNOWN
    )


def test_configuration_keeps_unknown_keys() -> None:
    config = StationConfiguration.from_json(
        {"mode": "toggle", "badgePdf": True, "minSearchLength": "3"}
    )
    assert config.mode.value == "toggle"
    assert config.min_search_length == 3
    assert config.to_json()["badgePdf"] is True
    assert StationConfiguration.from_json(None).mode.value == "checkIn"


def test_an_unreadable_guest_or_answer_is_described_without_its_values() -> None:
    # The detail goes to the log: personal data there by guest id only.
    with pytest.raises(BadResponseError) as guest_error:
        guest_from_json({"firstName": "Jane", "email": "jane@example.org"})
    with pytest.raises(BadResponseError) as answer_error:
        ChangeResult.from_json({"guest": {"lastName": "Doe"}})
    for error in (guest_error.value, answer_error.value):
        assert "Jane" not in str(error.detail) and "Doe" not in str(error.detail)
        assert "example.org" not in str(error.detail)
    assert "email, firstName" in str(guest_error.value.detail)
