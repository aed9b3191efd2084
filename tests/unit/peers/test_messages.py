"""Every frame from another door is bounded and validated before the store sees it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from doorcheck.peers import messages
from doorcheck.peers.messages import PeerMessageError
from tests.unit.peers.conftest import change_json


def read(data: bytes) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await messages.read_message(reader)

    return asyncio.run(run())


def framed(body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + body


def test_a_frame_announcing_4_gib_is_refused_before_its_body_is_read() -> None:
    # Only the header is there: the refusal does not wait for (or buffer) the body.
    with pytest.raises(PeerMessageError, match="frame of 4294967295 bytes"):
        read(b"\xff\xff\xff\xff")


def test_a_frame_just_over_the_bound_is_refused() -> None:
    with pytest.raises(PeerMessageError):
        read((messages.MAX_FRAME + 1).to_bytes(4, "big"))


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe not utf-8",
        b"{not json}",
        b'{"type":"tick","x":NaN}',
        b'{"type":"tick","x":-Infinity}',
        b'{"type":"tick","x":' + b"9" * 5000 + b"}",  # beyond int's digit limit
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'["tick"]',
        b'{"type":"hello2"}',
        b"",
    ],
)
def test_what_is_not_a_message_is_refused_as_one(body: bytes) -> None:
    with pytest.raises(PeerMessageError):
        read(framed(body))


def test_a_frame_cut_short_ends_the_read() -> None:
    with pytest.raises(asyncio.IncompleteReadError):
        read(framed(b'{"type":"tick"}')[:-3])


def test_a_vector_of_a_thousand_origins_at_the_largest_count_is_taken() -> None:
    vector = {f"{n:032x}": 2**53 - 1 for n in range(1000)}
    assert messages.vector_of({"vector": vector}) == vector


@pytest.mark.parametrize(
    "vector",
    [
        {f"{n:032x}": 1 for n in range(1001)},
        {"a": 2**53},
        {"a": -1},
        {"a": 1.0},
        {"a": True},
        {"a": "1"},
        {"": 1},
        {"a" * 65: 1},
        [["a", 1]],
        None,
    ],
)
def test_a_vector_that_is_not_one_is_refused(vector: object) -> None:
    with pytest.raises(PeerMessageError):
        messages.vector_of({"vector": vector})


def test_a_change_round_trips() -> None:
    obj = change_json("a" * 32, 1, fields={"name": "Anna", "tags": ["x", "y"], "gone": None})
    change = messages.change_from_json(obj)
    assert messages.change_to_json(change) == json.loads(json.dumps(obj)) | {
        "doorTime": messages.change_to_json(change)["doorTime"]
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"seq": 0},
        {"seq": 2**53},
        {"seq": True},
        {"seq": 1.5},
        {"seq": "1"},
        {"origin": ""},
        {"origin": "o" * 65},
        {"nonce": "n" * 101},
        {"guestId": {"$ne": 1}},
        {"action": "delete"},
        {"action": None},
        {"doorTime": "yesterday"},
        {"doorTime": "0001-01-01T00:00:00+14:00"},  # no UTC form
        {"doorTime": "9999-12-31T23:59:59-14:00"},
        {"doorTime": "2026-11-21T17:00:00+00:00" + " " * 30},
        {"station": "s" * 201},
        {"action": "undo"},  # an undo without its target
        {"targetNonce": "n"},  # a target on a check-in
        {"parentId": "g0"},  # a parent on a check-in
        {"action": "addCompanion"},  # a companion without its main guest
        {"fields": [["a", "b"]]},
        {"fields": {f"f{n}": "x" for n in range(51)}},
        {"fields": {"f": "x" * 1001}},
        {"fields": {"f": ["x"] * 51}},
        {"fields": {"f": [["nested"]]}},
        {"fields": {"f": {"nested": {"deeper": 1}}}},
        {"fields": {"f": 7}},
        {"fields": {"": "x"}},
    ],
)
def test_a_change_that_does_not_hold_together_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(PeerMessageError):
        messages.change_from_json(change_json("a" * 32, 1) | bad)


@pytest.mark.parametrize("body", [b'{"type":["hello"]}', b'{"type":{"a":1}}'])
def test_a_type_that_is_a_list_or_an_object_is_refused_as_a_message(body: bytes) -> None:
    with pytest.raises(PeerMessageError):
        read(framed(body))


def test_a_door_time_without_an_offset_is_refused() -> None:
    with pytest.raises(PeerMessageError):
        messages.change_from_json(change_json("a" * 32, 1, doorTime="2026-11-21T17:00:00"))


def test_more_than_a_thousand_changes_in_one_message_are_refused() -> None:
    items = [change_json("a" * 32, n) for n in range(1, 1002)]
    with pytest.raises(PeerMessageError):
        messages.changes_of({"changes": items})


def test_a_change_dated_years_ahead_is_read_for_the_store_to_set_aside() -> None:
    # Refused here, it would leave a gap in its door's changes that nothing could
    # fill; the store keeps it and does not count it (test_node).
    change = messages.change_from_json(
        change_json("a" * 32, 1, doorTime="9999-12-31T23:59:59+00:00")
    )
    assert change.door_time.year == 9999


def test_an_origin_with_a_line_break_is_refused() -> None:
    with pytest.raises(PeerMessageError):
        messages.change_from_json(
            change_json("a\n2026-11-29 10:00:00 INFO doorcheck: all is well", 1)
        )


def test_a_frame_too_large_to_send_is_not_sent() -> None:
    with pytest.raises(ValueError, match="too large"):
        messages.frame({"type": "tick", "pad": "x" * (messages.MAX_FRAME + 1)})
