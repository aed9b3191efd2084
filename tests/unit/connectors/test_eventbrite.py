"""Eventbrite API v3 against a fake of it over real HTTP: picking the event, pages
by continuation, increments by changed_since, statuses onto verdicts, the rate
limit, a refused token, broken answers and a server that vanishes mid-sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from doorcheck.cli import main as doorcheck
from doorcheck.connectors.base import SourceError
from doorcheck.connectors.eventbrite import EventbriteConnector, EventbriteSettings
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.server.serve import serve_app_in_thread
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.sync.guest_sources import poll_seconds
from doorcheck.sync.source_sync import SourceSync
from tests.support import Faults
from tests.support.fake_eventbrite import EVENT, ORGANIZATION, TOKEN, FakeEventbrite


@pytest.fixture
def fake() -> FakeEventbrite:
    eventbrite = FakeEventbrite()
    for i in range(120):  # three pages of 50
        eventbrite.add(f"{1000 + i}", f"Gast{i}", "Müller")
    eventbrite.add("2001", "Checked", "In", checked_in=True, status="Checked In")
    eventbrite.add("2002", "Can", "Celled", cancelled=True, status="Not Attending")
    eventbrite.add("2003", "Re", "Funded", refunded=True)
    eventbrite.events = [
        {"id": EVENT, "name": {"text": "Winter Gala"}, "start": {"utc": "2026-12-01T18:00:00Z"},
         "status": "live"},
        {"id": "4712", "name": {"text": "Spring Talk"}, "start": {"utc": "2027-03-01T09:00:00Z"},
         "status": "live"},
    ]  # fmt: skip
    return eventbrite


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def url(fake: FakeEventbrite, faults: Faults) -> Iterator[str]:
    with serve_app_in_thread(faults.wrap(fake.app())) as served:
        yield served


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    opened = LocalStore.open(tmp_path / "door.sqlite3")
    yield opened
    opened.close()


def engine(store: LocalStore, url: str, token: str = TOKEN, event: str = EVENT) -> SourceSync:
    connector = EventbriteConnector(EventbriteSettings(token, event, url), timeout=2.0)
    return SourceSync(store, connector, remote=True)


def code(attendee_id: str) -> str:
    return f"9{attendee_id}{attendee_id}001"


def test_staff_pick_the_event_from_the_organizations_list(url: str, fake: FakeEventbrite) -> None:
    connector = EventbriteConnector(EventbriteSettings(TOKEN, "", url))
    events = connector.events(ORGANIZATION)
    connector.close()
    assert [(e.id, e.name) for e in events] == [(EVENT, "Winter Gala"), ("4712", "Spring Talk")]
    (call,) = [c for c in fake.calls if "organizations" in c]
    for part in ("status=live%2Cstarted", "time_filter=current_future", "order_by=start_asc"):
        assert part in call


def test_every_page_is_loaded_and_statuses_become_verdicts(
    url: str, fake: FakeEventbrite, store: LocalStore
) -> None:
    report = engine(store, url).run_once()
    assert report is not None and report.guests_received == 123
    assert len([c for c in fake.calls if "attendees" in c]) == 3  # continuation twice
    door = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert door.scan(code("1000")).verdict.kind == VerdictKind.ADMIT
    assert door.scan("1000").verdict.kind == VerdictKind.NOT_ON_LIST  # the id is no code
    assert door.scan(code("2001")).verdict.kind == VerdictKind.ALREADY_IN
    assert door.scan(code("2002")).verdict.kind == VerdictKind.DEREGISTERED
    assert door.scan(code("2003")).verdict.kind == VerdictKind.DEREGISTERED


def test_increments_ask_for_changes_since_the_last_call(
    url: str, fake: FakeEventbrite, store: LocalStore
) -> None:
    assert engine(store, url).run_once() is not None
    fake.calls.clear()
    fake.add("3000", "Late", "Comer")
    fake.change("1005", cancelled=True)
    sync = engine(store, url)
    assert sync.run_once() is not None
    assert all("changed_since=" in c for c in fake.calls if "attendees" in c)
    door = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert door.scan(code("3000")).verdict.kind == VerdictKind.ADMIT
    assert door.scan(code("1005")).verdict.kind == VerdictKind.DEREGISTERED


def test_the_rate_limit_is_respected_and_said(
    url: str, fake: FakeEventbrite, store: LocalStore
) -> None:
    fake.faults.append("rate")
    sync = engine(store, url)
    assert sync.run_once() is None
    assert "2000 calls an hour" in str(sync.status.last_error or "")
    assert sync.status.online is False and store.status().guests == 0
    assert sync.status.retry_in == 120.0 and sync.delay() == 120.0  # as Eventbrite asked
    # The kiosk asks once a minute: 60 calls an hour per page, far below 2,000.
    assert poll_seconds("eventbrite:" + url, 3.0) == 60.0
    assert sync.run_once() is not None and store.status().guests == 123


@pytest.mark.parametrize(
    ("token", "event", "words"),
    [("wrong", EVENT, "refused the token"), (TOKEN, "1", "does not know that event")],
)
def test_a_refused_token_or_unknown_event_is_said_in_words(
    url: str, store: LocalStore, token: str, event: str, words: str
) -> None:
    sync = engine(store, url, token=token, event=event)
    assert sync.run_once() is None
    assert words in str(sync.status.last_error or "")
    connector = EventbriteConnector(EventbriteSettings(token, event, url))
    with pytest.raises(SourceError) as caught:
        list(connector.full_load())
    assert not caught.value.retryable
    connector.close()


@pytest.mark.parametrize("fault", ["garbage", "500", "cut"])
def test_broken_answers_and_a_vanishing_server_change_nothing(
    url: str, fake: FakeEventbrite, faults: Faults, store: LocalStore, fault: str
) -> None:
    assert engine(store, url).run_once() is not None
    fake.add("3000", "Late", "Comer")
    if fault == "cut":
        faults.next("cut")
    else:
        fake.faults.append(fault)
    sync = engine(store, url)
    assert sync.run_once() is None and sync.status.online is False
    assert store.guest_by_code(code("3000")) is None
    assert sync.run_once() is not None
    assert store.guest_by_code(code("3000")) is not None


def test_from_the_command_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert doorcheck(["eventbrite-events", "--key", TOKEN, "--organization", ORGANIZATION,
                      "--server", url]) == 0  # fmt: skip
    assert f"{EVENT}  2026-12-01T18:00:00Z" in capsys.readouterr().out
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["login", "--source", "eventbrite", "--server", url, "--key", TOKEN,
                      "--event", EVENT, *data]) == 0  # fmt: skip
    assert doorcheck(["sync", *data]) == 0
    assert "123 guests received" in capsys.readouterr().out
    assert doorcheck(["checkin", code("1001"), *data]) == 0
    assert doorcheck(["export", "--out", str(tmp_path / "in.csv"), *data]) == 0
    assert code("1001") in (tmp_path / "in.csv").read_text(encoding="utf-8-sig")
    log = tmp_path / "logs" / "doorcheck.log"
    assert TOKEN not in (log.read_text(encoding="utf-8") if log.exists() else "")
