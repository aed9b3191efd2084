"""docs/protocol.md's examples, executed in order against the reference server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from doorcheck.server.repository import GuestInput
from tests.support import RunningServer, fresh_engine, running_server

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"
EXCHANGE = re.compile(r"```http\n(?P<request>.*?)```\s*```json\n(?P<answer>.*?)```", re.S)
PLACEHOLDER = re.compile(r"^\{\{(\w+)\}\}$")
MORE = "..."


def exchanges() -> list[tuple[str, str, str]]:
    found = []
    for match in EXCHANGE.finditer(DOC.read_text(encoding="utf-8")):
        head, _, body = match["request"].partition("\n\n")
        method, path = head.strip().split()
        assert method == "POST"
        found.append((path, body, match["answer"]))
    return found


def fill(text: str, captured: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(captured[match[1]])

    return re.sub(r"\{\{(\w+)\}\}", value, text)


def matches(expected: Any, actual: Any, captured: dict[str, Any], where: str) -> None:
    if isinstance(expected, str) and (placeholder := PLACEHOLDER.match(expected)):
        name = placeholder[1]
        if name in captured:
            assert actual == captured[name], f"{where}: {actual!r} != {{{{{name}}}}}"
        captured[name] = actual
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        keys = set(expected) - {MORE}
        if MORE not in expected:
            assert set(actual) == keys, f"{where}: keys {sorted(actual)} != {sorted(keys)}"
        for key in keys:
            assert key in actual, f"{where}: no key {key!r}"
            matches(expected[key], actual[key], captured, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        items = expected[:-1] if expected and expected[-1] == MORE else expected
        if len(items) == len(expected):
            assert len(actual) == len(items), f"{where}: {len(actual)} items, not {len(items)}"
        for index, item in enumerate(items):
            matches(item, actual[index], captured, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.fixture
def doc_server(database: str, tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(fresh_engine(database, tmp_path)) as server:
        repo = server.repository
        repo.create_event(
            "Winter Gala 2026",
            company="Nordlicht AG",
            event_id="4711",
            start=datetime(2026, 11, 21, 17, tzinfo=UTC),
            end=datetime(2026, 11, 22, 0, tzinfo=UTC),
        )
        repo.create_station("4711", "Main Entrance", app_code="aBcDeFgH")
        repo.add_guests(
            "4711",
            [
                GuestInput(
                    id="2e1a7138-9114-496b-8dfe-5b30e3b329f1",
                    access_code="abcdef",
                    highlight_color="#ffeedd",
                    fields={
                        "salutation": "Mr.",
                        "firstName": "John",
                        "lastName": "Smith",
                        "company": "My Company",
                        "customField47": ["vegetarian", "vegan"],
                    },
                )
            ],
        )
        yield server


def test_the_document_has_examples() -> None:
    assert len(exchanges()) >= 12


def test_every_example_in_the_protocol_document(doc_server: RunningServer) -> None:
    captured: dict[str, Any] = {}
    for number, (path, body, answer) in enumerate(exchanges(), start=1):
        response = httpx.post(
            doc_server.url + path,
            content=fill(body, captured).encode(),
            headers={"content-type": "application/json"},
        )
        matches(json.loads(answer), response.json(), captured, f"example {number} ({path})")
    assert re.fullmatch(r"[0-9a-f]{40}", captured["sessionToken"])
