"""Event Cadence as a destination, against a fake gateway over real HTTP: profiles
of check-ins and walk-ins pushed from the durable queue in either payload form,
the key in the header or the body, email required, 401 stops, 500 retried."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from doorcheck.cli import main as doorcheck
from doorcheck.connectors.eventcadence import CadencePusher, CadenceSettings
from doorcheck.domain.verdict import Mode
from doorcheck.server.serve import serve_app_in_thread
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.sync.forwarder import Forwarder
from doorcheck.sync.station_sync import Backoff
from tests.support import full_sync, wire
from tests.support.fake_eventcadence import GATEWAY, KEY, FakeCadence


@pytest.fixture
def fake() -> FakeCadence:
    return FakeCadence()


@pytest.fixture
def url(fake: FakeCadence) -> Iterator[str]:
    with serve_app_in_thread(fake.app()) as served:
        yield served + GATEWAY


@pytest.fixture
def door(tmp_path: Path) -> Iterator[tuple[LocalStore, CheckInService]]:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    builder, _ = wire("g1", "C1", "Jürgen", "Müller")
    builder["fields"]["company"] = "Brückenbau KG"
    no_mail, _ = wire("g3", "C3", "No", "Mail")
    no_mail["fields"].pop("email")  # Event Cadence would refuse this one
    full_sync(
        store,
        [(builder, json.dumps(builder)), wire("g2", "C2", "Ana", "Lu"),
         (no_mail, json.dumps(no_mail))],
    )  # fmt: skip
    yield store, CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    store.close()


def forwarder(store: LocalStore, url: str, key: str = KEY, **options: str) -> Forwarder:
    settings = CadenceSettings(url, groups=["Main Entrance"], **options)
    return Forwarder(store, CadencePusher(settings, key), backoff=Backoff(base=0.01))


@pytest.mark.parametrize(("key_in", "form"), [("header", "nested"), ("body", "flat")])
def test_check_ins_and_walk_ins_are_pushed_in_either_form(
    fake: FakeCadence, url: str, door: tuple[LocalStore, CheckInService], key_in: str, form: str
) -> None:
    store, service = door
    service.scan("C1")
    service.add_companion("g2", {"firstName": "Walk", "lastName": "In",
                                 "email": "walk@example.org"})  # fmt: skip
    status = forwarder(store, url, key_in=key_in, form=form).run_once()
    assert (status.sent, status.waiting, status.held) == (3, 0, 0)  # g1, the walk-in x2
    assert fake.key_places == [key_in] * 3
    first = fake.received[0]
    assert (first["firstName"], first["company"], first["email"]) == (
        "Jürgen", "Brückenbau KG", "g1@example.org")  # fmt: skip
    assert first["thirdPartyId"] == "g1" and first["groups"] == ["Main Entrance"]
    assert {p["lastName"] for p in fake.received[1:]} == {"In"}
    # Nothing twice: a second round finds nothing new.
    assert forwarder(store, url, key_in=key_in, form=form).run_once().sent == 3
    assert len(fake.received) == 3


def test_a_profile_without_email_is_held_back_with_the_reason(
    fake: FakeCadence, url: str, door: tuple[LocalStore, CheckInService]
) -> None:
    store, service = door
    service.scan("C3")
    status = forwarder(store, url).run_once()
    assert (status.sent, status.held) == (0, 1) and fake.received == []
    ((name, why),) = store.forward_problems("eventcadence")
    assert name == "No Mail" and "no email" in why


def test_a_refused_key_stops_sending_and_loses_nothing(
    fake: FakeCadence, url: str, door: tuple[LocalStore, CheckInService]
) -> None:
    store, service = door
    service.scan("C1")
    service.scan("C2")
    wrong = forwarder(store, url, key="wrong")
    status = wrong.run_once()
    assert status.blocked and "refused the API key" in str(status.problem or "")
    assert (status.sent, status.waiting) == (0, 2)
    assert wrong.run_once().waiting == 2  # blocked: no more attempts with that key
    fixed = forwarder(store, url).run_once()  # the settings changed
    assert (fixed.sent, fixed.waiting) == (2, 0)


def test_a_server_error_is_retried_with_backoff(
    fake: FakeCadence, url: str, door: tuple[LocalStore, CheckInService]
) -> None:
    store, service = door
    service.scan("C1")
    fake.faults += [500, 500]
    sending = forwarder(store, url)
    first = sending.run_once()
    assert (first.sent, first.waiting) == (0, 1) and not first.blocked
    assert "HTTP 500" in str(first.problem or "") and sending.delay() < sending.interval
    assert sending.run_once().waiting == 1
    assert sending.run_once().sent == 1


def test_from_the_command_line_the_key_kept_privately(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text("Code,First name,Last name,Email\nT-1,Ann,Lee,ann@example.org\n")
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["import", str(source), *data]) == 0
    assert doorcheck(["checkin", "T-1", *data]) == 0
    capsys.readouterr()
    assert doorcheck(["forward", "--url", url, "--key", KEY, "--group", "VIP", *data]) == 0
    assert "1 sent, 0 waiting" in capsys.readouterr().out
    secret_files = list((tmp_path / "door").rglob("secret.json"))
    assert any(KEY in p.read_text() for p in secret_files)  # kept, user-only
    assert all(p.stat().st_mode & 0o077 == 0 for p in secret_files)
    stores = list((tmp_path / "door").rglob("*.sqlite3"))
    assert stores and all(KEY.encode() not in p.read_bytes() for p in stores)
    assert doorcheck(["forward", *data]) == 0  # set up once: it remembers


def test_the_kiosk_forwards_as_it_checks_in(
    fake: FakeCadence, url: str, tmp_path: Path, qtbot: QtBot
) -> None:
    from tests.support.kiosk import open_kiosk

    source = tmp_path / "list.csv"
    source.write_text("Code,First name,Last name,Email\nT-1,Ann,Lee,ann@example.org\n")
    data = tmp_path / "door"
    assert doorcheck(["import", str(source), "--data", str(data)]) == 0
    assert doorcheck(["forward", "--url", url, "--key", KEY, "--data", str(data)]) == 0
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera")) as kiosk:
        assert kiosk.forwarder is not None
        kiosk.scan("T-1", "scanner")
        qtbot.waitUntil(lambda: kiosk.window.status.forwarding is not None, timeout=10_000)
        label = kiosk.window.status.forwarding
        assert label is not None
        qtbot.waitUntil(lambda: "1 sent" in label.text(), timeout=10_000)
    assert [p["lastName"] for p in fake.received] == ["Lee"]


def test_the_forwarders_failures_are_reported_kept_and_cleared(
    fake: FakeCadence, url: str, door: tuple[LocalStore, CheckInService]
) -> None:
    from doorcheck.sync.health import stored_failures
    from doorcheck.sync.station_sync import wait_for

    store, service = door
    service.scan("C1")
    fake.faults += [500, 500]
    sending = forwarder(store, url)
    sending.interval = 0.05
    sending.start()
    try:
        assert wait_for(lambda: sending.health.failing is not None, 20)
        assert "HTTP 500" in str(sending.health.failing) and not sending.health.stopped
        assert wait_for(lambda: store.forward_counts("eventcadence").get("done") == 1, 20)
        assert wait_for(lambda: sending.health.failing is None, 20)
        assert stored_failures(store) == []
    finally:
        sending.stop()

    service.scan("C2")
    wrong = forwarder(store, url, key="wrong")
    wrong.interval = 0.05
    wrong.start()
    try:
        assert wait_for(lambda: wrong.health.stopped, 20)
        [failure] = stored_failures(store)
        assert (failure.worker, failure.stopped) == ("forward", True)
        assert "refused the API key" in failure.reason
        assert wrong.running  # it keeps counting what waits; it sends nothing
    finally:
        wrong.stop()
