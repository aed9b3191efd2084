"""XING Events through its sync feed, against a fake of its API over real HTTP:
resync and paging by nextId, gaps, increments and deletions, a lost cursor, v2,
a refused key, broken answers and a server that vanishes mid-sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from doorcheck.cli import main as doorcheck
from doorcheck.connectors.xing import XingConnector, XingSettings
from doorcheck.domain.guest import RegistrationState
from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.server.serve import serve_app_in_thread
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.sync.source_sync import SourceSync
from tests.support import Faults
from tests.support.fake_xing import API_KEY, FakeXing


@pytest.fixture
def fake() -> FakeXing:
    xing = FakeXing()
    for i in range(250):  # more than one page of 200
        xing.add_ticket(1000 + i, f"XE-{i:05d}", f"Gast{i}", "Müller")
    xing.add_ticket(5000, "XE-CANCEL", "Cancelled", "Ticket", cancelled="2026-11-01T10:00:00")
    xing.add_ticket(5001, "XE-CHECKED", "Already", "There", checked=True,
                    lastChecked="2026-11-21T18:31:00+01:00")  # fmt: skip
    xing.other_object()  # users and addresses are not guests
    return xing


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def url(fake: FakeXing, faults: Faults) -> Iterator[str]:
    with serve_app_in_thread(faults.wrap(fake.app())) as served:
        yield served


def engine(store: LocalStore, url: str, version: int = 1, key: str = API_KEY) -> SourceSync:
    connector = XingConnector(XingSettings(url, key, "777", version), timeout=2.0)
    return SourceSync(store, connector, remote=True)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    opened = LocalStore.open(tmp_path / "door.sqlite3")
    yield opened
    opened.close()


def test_a_resync_loads_every_ticket_across_pages(
    fake: FakeXing, url: str, store: LocalStore
) -> None:
    sync = engine(store, url)
    report = sync.run_once()
    assert report is not None and report.guests_received == 252
    assert store.status().guests == 252
    assert sync.status.online is True
    assert any(c.startswith("POST /api/sync/resync") for c in fake.calls)
    assert any("maxResults=200" in c for c in fake.calls)
    view = store.guest_by_code("XE-00249")
    assert view is not None and view.guest.display_name == "Gast249 Müller"
    cancelled = store.guest_by_code("XE-CANCEL")
    assert cancelled is not None
    assert cancelled.guest.registration_state == RegistrationState.DEREGISTERED
    there = store.guest_by_code("XE-CHECKED")
    assert there is not None and there.guest.is_checked_in
    door = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert door.scan("XE-CHECKED").verdict.kind == VerdictKind.ALREADY_IN
    assert door.scan("XE-CANCEL").verdict.kind == VerdictKind.DEREGISTERED


def test_increments_follow_next_id_and_the_cursor_survives_a_restart(
    fake: FakeXing, url: str, store: LocalStore
) -> None:
    assert engine(store, url).run_once() is not None
    cursor = store.get_state("cursor")
    # Nothing new: the same id comes back, and nothing is loaded.
    fake.calls.clear()
    assert engine(store, url).run_once() is not None  # a new engine: as after a restart
    assert store.get_state("cursor") == cursor
    assert [c.split("?")[0] for c in fake.calls] == [f"GET /api/sync/{cursor}"]
    # A new ticket, a renamed guest, a deleted ticket.
    fake.add_ticket(6000, "XE-NEW", "Late", "Comer")
    fake.add_ticket(1000, "XE-00000", "Renamed", "Müller")
    fake.delete_ticket(1001)
    report = engine(store, url).run_once()
    assert report is not None and report.guests_received == 3
    assert store.get_state("cursor") != cursor
    new = store.guest_by_code("XE-NEW")
    assert new is not None and new.guest.display_name == "Late Comer"
    renamed = store.guest_by_code("XE-00000")
    assert renamed is not None and renamed.guest.display_name == "Renamed Müller"
    door = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    assert door.scan("XE-00001").verdict.kind == VerdictKind.DELETED  # known, now removed
    assert store.status().guests == 252  # +1 new, -1 deleted


def test_a_lost_cursor_means_a_resync(fake: FakeXing, url: str, store: LocalStore) -> None:
    assert engine(store, url).run_once() is not None
    door = CheckInService(store, "Main Entrance", Mode.CHECK_IN)
    sync = engine(store, url)
    door.on_change = sync.nudge
    assert door.scan("XE-00007").verdict.kind == VerdictKind.ADMIT
    fake.add_ticket(6000, "XE-NEW", "Late", "Comer")
    fake.forgotten_below = fake.next_event  # XING no longer knows our sync id
    fake.calls.clear()
    assert sync.run_once() is not None
    assert any(c.startswith("POST /api/sync/resync") for c in fake.calls)
    # The door's own check-in survives the full reload.
    view = store.guest_by_code("XE-00007")
    assert view is not None and view.guest.is_checked_in
    assert store.status().pending == 0
    assert store.guest_by_code("XE-NEW") is not None


def test_version_2_registers_once_then_reads_the_feed(
    fake: FakeXing, url: str, store: LocalStore
) -> None:
    assert engine(store, url, version=2).run_once() is not None
    assert fake.registered_v2 and store.status().guests == 252
    assert any(c.startswith("GET /v2/sync/") for c in fake.calls)
    fake.add_ticket(7000, "XE-V2", "Second", "Version")
    fake.calls.clear()
    assert engine(store, url, version=2).run_once() is not None
    assert not any("register" in c for c in fake.calls)
    assert store.guest_by_code("XE-V2") is not None


def test_a_refused_key_is_said_in_words(url: str, store: LocalStore) -> None:
    sync = engine(store, url, key="wrong")
    assert sync.run_once() is None
    assert sync.status.online is False
    assert "refused the API key" in str(sync.status.last_error or "")
    assert store.status().guests == 0


@pytest.mark.parametrize("fault", ["500", "garbage", "cut"])
def test_broken_answers_change_nothing_and_the_next_round_recovers(
    fake: FakeXing, faults: Faults, url: str, store: LocalStore, fault: str
) -> None:
    assert engine(store, url).run_once() is not None
    cursor = store.get_state("cursor")
    fake.add_ticket(6000, "XE-NEW", "Late", "Comer")
    if fault == "cut":
        faults.next("cut")  # the server vanishes in the middle of the answer
    else:
        fake.faults.append(fault)
    sync = engine(store, url)
    assert sync.run_once() is None
    assert sync.status.online is False and sync.status.last_error
    assert store.get_state("cursor") == cursor and store.guest_by_code("XE-NEW") is None
    assert sync.run_once() is not None
    assert store.guest_by_code("XE-NEW") is not None


def test_from_the_command_line_and_no_api_key_in_the_log(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["-v", "login", "--source", "xing", "--server", url, "--key", API_KEY,
                      "--event", "777", *data]) == 0  # fmt: skip
    assert doorcheck(["-v", "sync", *data]) == 0
    assert "252 guests received" in capsys.readouterr().out
    assert doorcheck(["checkin", "XE-00003", *data]) == 0
    assert "[recorded]" in capsys.readouterr().out
    assert doorcheck(["status", *data]) == 0
    assert "Checked in:      2 of 252" in capsys.readouterr().out
    log = Path(tmp_path / "logs" / "doorcheck.log")
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "HTTP Request" in text and API_KEY not in text


def test_the_kiosk_runs_on_xing(url: str, tmp_path: Path, qtbot: QtBot) -> None:
    from tests.support.kiosk import open_kiosk

    data = tmp_path / "door"
    assert doorcheck(["login", "--source", "xing", "--server", url, "--key", API_KEY,
                      "--data", str(data)]) == 0  # fmt: skip
    with open_kiosk(qtbot, data, str(tmp_path / "no-camera")) as kiosk:
        qtbot.waitUntil(lambda: kiosk.store.status().guests == 252, timeout=15_000)
        qtbot.waitUntil(lambda: "Online" in kiosk.window.status.online.text(), timeout=10_000)
        assert kiosk.scan("XE-00011", "scanner").verdict.kind == VerdictKind.ADMIT
        qtbot.waitUntil(lambda: kiosk.store.status().pending == 0, timeout=10_000)


def test_the_login_screen_logs_into_xing(url: str, tmp_path: Path, qtbot: QtBot) -> None:
    from doorcheck.session.login import log_in_and_load
    from doorcheck.store.credentials import load_login
    from doorcheck.ui.login_dialog import LoginDialog

    data = tmp_path / "door"
    dialog = LoginDialog(lambda *values: log_in_and_load(data, *values))
    qtbot.addWidget(dialog)
    dialog.source.setCurrentIndex(dialog.source.findData("xing"))
    label = dialog.form.labelForField(dialog.app_code)
    assert label is not None and label.text() == "API key"  # type: ignore[attr-defined]
    dialog.server.setText(url)
    dialog.app_code.setText("not the key")
    dialog.station.setText("Main Entrance")
    dialog.submit()
    qtbot.waitUntil(lambda: "refused the API key" in dialog.message.text(), timeout=15_000)
    dialog.app_code.setText(API_KEY)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        dialog.submit()
    saved = load_login(data)
    assert saved is not None and saved[0].server == "xing:" + url


def test_sync_with_a_source_logs_in_and_loads_in_one_go(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path / "door")]
    assert doorcheck(["sync", "--source", "xing", "--server", url, "--key", API_KEY,
                      *data]) == 0  # fmt: skip
    assert "252 guests received" in capsys.readouterr().out
    assert doorcheck(["sync", *data]) == 0  # afterwards: the saved source
    assert "0 guests received" in capsys.readouterr().out
