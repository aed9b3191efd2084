"""Whatever JSON (or bytes) a station sends: guests come out, or the documented
error; one bad guest never loses the others. Property-based (hypothesis)."""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorcheck.domain.codes import InvalidCode, clean_code
from doorcheck.protocol.liststream import ListStreamError, Unreadable, read_guest_list
from doorcheck.protocol.wire import guest_from_json, guest_id_of, unreadable_reason
from doorcheck.station import bounded
from doorcheck.store.local import LocalStore
from doorcheck.store.rows import row_from_wire

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text around the surrogate range too: JSON can escape a lone surrogate (\ud800).
surrogate_text = st.text(
    st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010, categories=["Cs", "Co", "Lo"]),
    max_size=3,
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | surrogate_text
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
date_texts = st.sampled_from(
    [
        "2026-11-21T10:30:00+02:00",
        "2026-11-21T08:30:00Z",
        "2026-11-21T10:30:00",
        "2026-11-21 10:30:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "2018-01-...",
        "",
    ]
)
guest_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=12) | surrogate_text | st.integers() | st.none() | st.booleans(),
        "accessCode": st.text(max_size=12) | st.integers() | st.none(),
        "parentId": st.text(max_size=12) | st.none(),
        "checkInDateTime": date_texts | st.none() | st.integers(),
        "deleteDateTime": date_texts | st.none(),
        "serverUpdateDateTime": date_texts | st.none(),
        "registrationState": st.text(max_size=12) | st.none(),
        "fields": st.dictionaries(st.text(max_size=10), json_values, max_size=4) | json_values,
        "companions": st.lists(json_values, max_size=3) | json_values,
        "extra": json_values,
    },
)
# Texts the decoder cannot read but a bracket scan can pass over.
POISON_TEXTS = [
    '{"id": "deep", "x": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"id": "digits", "n": ' + "1" * 5000 + "}",
    "1" * 5000,
    '{"id": "broken", "x": [1, 2,, 3]}',
]


def body_of(guests_text: list[str], envelope_first: bool = True) -> bytes:
    guests = '"guests": [' + ", ".join(guests_text) + "]"
    head = '"status": "success", "dateTime": "2026-11-21T12:00:00+02:00"'
    inner = f"{head}, {guests}" if envelope_first else f"{guests}, {head}"
    return ("{" + inner + "}").encode("utf-8", "surrogatepass")


def chunked(body: bytes, size: int) -> Any:
    return iter([body[i : i + size] for i in range(0, len(body), size)])


def read_all(body: bytes, size: int, batch: int = 3) -> tuple[dict[str, Any], list[Any]]:
    found: list[Any] = []
    envelope = read_guest_list(chunked(body, size), lambda g: found.extend(o for o, _ in g), batch)
    return envelope, found


@SETTINGS
@given(
    guests=st.lists(json_values, max_size=8),
    size=st.integers(1, 64),
    envelope_first=st.booleans(),
)
def test_every_guest_comes_out_as_sent_whatever_the_chunks(
    guests: list[Any], size: int, envelope_first: bool
) -> None:
    body = body_of([json.dumps(g) for g in guests], envelope_first)
    envelope, found = read_all(body, size)
    # As JSON reads them (an escaped surrogate pair is one character).
    assert found == [json.loads(json.dumps(g)) for g in guests]
    assert envelope["dateTime"] == "2026-11-21T12:00:00+02:00"


@SETTINGS
@given(
    guests=st.lists(json_values, min_size=1, max_size=6),
    poisons=st.lists(st.sampled_from(POISON_TEXTS), min_size=1, max_size=3),
    positions=st.lists(st.integers(0, 6), min_size=3, max_size=3),
    size=st.sampled_from([7, 100, 4096, 1 << 20]),
)
def test_one_unreadable_guest_never_loses_the_others(
    guests: list[Any], poisons: list[str], positions: list[int], size: int
) -> None:
    texts = [json.dumps(g) for g in guests]
    for poison, position in zip(poisons, positions, strict=False):
        texts.insert(min(position, len(texts)), poison)
    _, found = read_all(body_of(texts), size)
    assert len(found) == len(texts)
    assert [f for f in found if not isinstance(f, Unreadable)] == [
        json.loads(json.dumps(g)) for g in guests
    ]
    assert sum(isinstance(f, Unreadable) for f in found) == len(poisons)


@SETTINGS
@given(
    data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode), size=st.integers(1, 50)
)
def test_any_bytes_give_guests_or_the_documented_error(data: bytes, size: int) -> None:
    with contextlib.suppress(ListStreamError):
        read_all(data, size)


@SETTINGS
@given(obj=guest_like | json_values)
def test_what_passes_the_check_reads_and_stores(obj: Any) -> None:
    text = json.dumps(obj)  # as a server sends it: a lone surrogate escaped
    if unreadable_reason(obj, text) is not None:
        return
    guest = guest_from_json(obj)
    assert guest.id == str(obj["id"])
    row = row_from_wire(obj, 1, text)
    for value in row:
        if isinstance(value, str):
            value.encode("utf-8")


def test_a_lone_surrogate_or_a_year_without_utc_form_fails_the_check() -> None:
    surrogate = json.loads('{"id": "s", "fields": {"firstName": "\\ud800"}}')
    assert unreadable_reason(surrogate, '{"id": "s", "fields": {"firstName": "\\ud800"}}')
    year_one = {"id": "y", "checkInDateTime": "0001-01-01T00:00:00+14:00"}
    assert unreadable_reason(year_one, json.dumps(year_one))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objs=st.lists(guest_like | json_values, max_size=8))
def test_the_store_keeps_every_readable_guest_and_sets_the_rest_aside(objs: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = LocalStore.open(Path(folder) / "door.sqlite3")
        try:
            generation = store.start_full_sync()
            texts = [(o, json.dumps(o)) for o in objs]
            store.write_wire(texts, generation=generation)
            store.finish_full_sync(generation, "c1")
            last_copy_readable = {guest_id_of(o): unreadable_reason(o, t) is None for o, t in texts}
            readable = {i for i, ok in last_copy_readable.items() if ok and i is not None}
            for guest_id in readable:
                assert store.guest_by_id(guest_id) is not None
            with store.read() as conn:  # deleted guests too (status counts the live)
                stored = conn.exec_driver_sql("SELECT count(*) FROM guests").scalar()
            assert stored == len(readable)
        finally:
            store.close()


# -- access-code patterns ---------------------------------------------------------------


def test_a_catastrophic_code_pattern_answers_at_once() -> None:
    answered: list[InvalidCode | None] = []
    worker = threading.Thread(
        target=lambda: answered.append(clean_code("a" * 40 + "!", r"^(a+)+$").invalid),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=20)  # a backtracking engine would still be at it for hours
    assert answered == [InvalidCode.WRONG_EVENT]
    assert clean_code("a" * 40, r"^(a+)+$").code == "a" * 40


def test_a_pattern_re2_cannot_use_is_ignored_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    assert clean_code("abab", r"(ab)\1").code == "abab"  # the guest list still decides
    assert clean_code("x", "(" * 2000).code == "x"
    assert "invalid" not in capfd.readouterr().err


def test_a_list_earns_more_time_as_its_bytes_arrive() -> None:
    until = bounded.Deadline.after(60.0, per_mib=bounded.LIST_SECONDS_PER_MIB)
    before = until.left()
    until.received(10 << 20)  # 10 MiB arrived: 160 s more
    assert until.left() - before > 150
    plain = bounded.Deadline.after(60.0)
    plain.received(10 << 20)
    assert plain.left() <= 60.0
