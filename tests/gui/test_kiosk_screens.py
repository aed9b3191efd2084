"""The kiosk's screens beyond the door (pytest-qt, offscreen, real store and service):
guest details and parties, companions, statistics, the lock and the self check-in
variant, settings, sounds and languages."""

from __future__ import annotations

import stat
import sys
import wave
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from doorcheck.connectors.base import SourceError
from doorcheck.connectors.eventbrite_legacy import parse as parse_legacy_xml
from doorcheck.connectors.spreadsheet import SpreadsheetError, read_table
from doorcheck.connectors.web import request_json
from doorcheck.domain.verdict import Mode, Verdict, VerdictKind
from doorcheck.protocol.errors import ServerUnreachableError
from doorcheck.services.checkin import CheckInService
from doorcheck.services.store_watch import StoreSnapshot, StoreWatcher
from doorcheck.settings import KioskSettings
from doorcheck.store.local import LocalStore
from doorcheck.ui.i18n import chosen_language, install_language
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.pin_dialog import PinDialog
from doorcheck.ui.search_panel import CompanionDialog, GuestDesk, SearchPanel
from doorcheck.ui.settings_dialog import SettingsDialog
from doorcheck.ui.sounds import SOUND_OF, SoundPlayer, find_player, sound_file
from doorcheck.ui.statistics_panel import StatisticsPanel, recent_buckets
from doorcheck.views import ScanOutcome, StationCount, Statistics, SyncStatus
from doorcheck.words import phrase
from tests.support import full_sync, settled, wire
from tests.support.kiosk import desk, when_modal


@pytest.fixture
def party_store(tmp_path: Path) -> Iterator[tuple[LocalStore, CheckInService]]:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    full_sync(
        store,
        [
            wire("g1", "CODE1", "Jane", "Doe", companions=["c1", "c2"]),
            wire("c1", "CODE2", "Plus", "One", parent="g1"),
            wire("c2", "CODE3", "Plus", "Two", parent="g1"),
            wire("g2", "CODE4", "Solo", "Guest"),
        ],
    )
    yield store, CheckInService(store, "Main Entrance", Mode.TOGGLE)
    store.close()


def searched(
    qtbot: QtBot, party_store: tuple[LocalStore, CheckInService], text: str
) -> tuple[SearchPanel, list[ScanOutcome]]:
    """The guest list over the real store, ``text`` typed; and what it answers."""
    panel = SearchPanel(desk(*party_store))
    qtbot.addWidget(panel)
    outcomes: list[ScanOutcome] = []
    panel.acted.connect(outcomes.append)
    panel.box.setText(text)
    panel.refresh()
    settled(qtbot, panel)
    return panel, outcomes


def test_guest_details_show_companions_and_check_the_party_in(
    qtbot: QtBot, party_store: tuple[LocalStore, CheckInService]
) -> None:
    store, _ = party_store
    panel, outcomes = searched(qtbot, party_store, "jane")
    assert panel.results.count() == 1
    assert "Jane Doe" in panel.details.text.text() and "CODE1" in panel.details.text.text()
    assert panel.details.companions.count() == 2
    assert panel.details.ticked() == ["c1", "c2"]
    assert panel.check_in.text() == "Check in party (3)"
    # Untick one companion: two go in together, the other stays out.
    panel.details.companions.item(1).setCheckState(
        panel.details.companions.item(1).checkState().Unchecked
    )
    assert panel.check_in.text() == "Check in party (2)"
    panel.check_in.click()
    settled(qtbot, panel)
    inside = {
        guest_id: (view.guest.is_checked_in if (view := store.guest_by_id(guest_id)) else None)
        for guest_id in ("g1", "c1", "c2")
    }
    assert inside == {"g1": True, "c1": True, "c2": False}
    assert outcomes[-1].verdict.kind == VerdictKind.ADMIT
    assert "2 checked in" in panel.hint.text()
    # Jane is in now; her remaining companion can still be checked in from her details.
    assert panel.details.ticked() == ["c2"]
    assert panel.check_in.isEnabled() and panel.check_in.text() == "Check in party (1)"


def test_a_search_typed_just_before_an_action_never_replaces_the_actions_note(
    qtbot: QtBot, party_store: tuple[LocalStore, CheckInService]
) -> None:
    # Typing starts the debounce; an action's own refresh covers that text, so the
    # debounced search must not come back afterwards with a bare count.
    panel = SearchPanel(desk(*party_store))
    qtbot.addWidget(panel)
    panel.box.setText("solo")  # the debounce (120 ms) starts
    panel.refresh(note="Ida Neu added")
    settled(qtbot, panel)
    qtbot.wait(400)  # past the debounce
    settled(qtbot, panel)
    assert panel.hint.text() == "Ida Neu added"


def test_a_companion_added_at_the_door_is_saved_and_checked_in(
    qtbot: QtBot, party_store: tuple[LocalStore, CheckInService]
) -> None:
    store, _ = party_store
    panel, outcomes = searched(qtbot, party_store, "solo")
    assert panel.add_companion.isEnabled()

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, CompanionDialog)
        assert not dialog.buttons.buttons()[0].isEnabled()  # a name is needed
        dialog.first.setText("Ida")
        dialog.last.setText("Neu")
        dialog.accept()

    when_modal(fill)
    panel.add_companion.click()
    settled(qtbot, panel)
    assert outcomes[-1].verdict.kind == VerdictKind.ADMIT
    assert "Ida Neu" in panel.hint.text()
    view = store.guest_by_id("g2")
    assert view is not None
    assert [c.display_name for c in view.companions] == ["Ida Neu"]
    assert view.companions[0].is_checked_in
    assert {c.action for c in store.changes()} == {"addCompanion", "checkIn"}


def test_statistics_show_inside_now_arrivals_and_stations(qtbot: QtBot) -> None:
    panel = StatisticsPanel()
    qtbot.addWidget(panel)
    now = datetime(2026, 11, 21, 19, 2, tzinfo=UTC)
    stats = Statistics(
        arrivals=[
            (datetime(2026, 11, 21, 15, 0, tzinfo=UTC), 50),  # too old for the chart
            (datetime(2026, 11, 21, 18, 30, tzinfo=UTC), 7),
            (datetime(2026, 11, 21, 19, 0, tzinfo=UTC), 3),
        ],
        inside=9,
        guests=120,
        stations=[StationCount("Main Entrance", 8, 0), StationCount("Exit", 0, 1)],
    )
    panel.show_statistics(stats, now=now)
    assert panel.inside.text() == "9 inside now of 120 guests"
    assert panel.last_hour.text() == "10 arrived in the last hour"
    buckets = panel.chart.buckets
    assert len(buckets) == 36 and buckets[-1] == (datetime(2026, 11, 21, 19, 0, tzinfo=UTC), 3)
    assert sum(count for _, count in buckets) == 10
    assert panel.stations.rowCount() == 2
    item = panel.stations.item(1, 2)
    assert item is not None and item.text() == "1"
    assert "7 arrivals" in panel.chart.accessibleDescription()


def test_recent_buckets_fill_empty_slots_evenly() -> None:
    now = datetime(2026, 11, 21, 18, 14, 59, tzinfo=UTC)
    slots = recent_buckets([(datetime(2026, 11, 21, 18, 5, tzinfo=UTC), 4)], now, count=3)
    assert slots == [
        (datetime(2026, 11, 21, 18, 0, tzinfo=UTC), 0),
        (datetime(2026, 11, 21, 18, 5, tzinfo=UTC), 4),
        (datetime(2026, 11, 21, 18, 10, tzinfo=UTC), 0),
    ]


def test_the_store_watcher_counts_on_its_own_thread(
    qtbot: QtBot, party_store: tuple[LocalStore, CheckInService]
) -> None:
    import threading

    store, service = party_store
    seen: list[tuple[StoreSnapshot, str]] = []
    watcher = StoreWatcher(
        store, lambda s: seen.append((s, threading.current_thread().name)), interval=60
    )
    watcher.start()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    service.scan("CODE4")
    watcher.nudge()  # a scan: counted again at once, not in 60 s
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    watcher.stop()
    assert [s.status.checked_in for s, _ in seen] == [0, 1]
    assert seen[1][0].statistics.inside == 1
    assert {name for _, name in seen} == {"doorcheck-count"}


# -- the lock and the self check-in variant -------------------------------------------


def window_with_pin(qtbot: QtBot, **kwargs: bool) -> tuple[KioskWindow, KioskSettings]:
    settings = KioskSettings()
    window = KioskWindow("Gala", "Main Entrance", "checkIn", **kwargs)  # type: ignore[arg-type]
    window.has_pin = lambda: bool(settings.pin_hash)
    window.set_pin = settings.set_pin
    window.pin_matches = settings.pin_matches
    qtbot.addWidget(window)
    window.show()
    return window, settings


def type_pin(*pins: str) -> Callable[[QDialog], None]:
    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin.setText(pins[0])
        dialog.again.setText(pins[-1])
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        if dialog.isVisible():  # refused: the message says why; give up
            dialog.reject()

    return fill


def test_locking_asks_for_a_pin_then_only_the_pin_unlocks(qtbot: QtBot) -> None:
    search = SearchPanel(GuestDesk(lambda text: [], lambda g, a: _outcome()))
    settings = KioskSettings()
    window = KioskWindow("Gala", "Main Entrance", "checkIn", search, StatisticsPanel())
    window.has_pin = lambda: bool(settings.pin_hash)
    window.set_pin = settings.set_pin
    window.pin_matches = settings.pin_matches
    qtbot.addWidget(window)
    window.show()
    when_modal(type_pin("12", "12"))  # too short: not accepted
    assert not window.lock() and not window.locked and settings.pin_hash is None
    when_modal(type_pin("4711", "4712"))  # typed differently twice
    assert not window.lock() and settings.pin_hash is None
    when_modal(type_pin("4711", "4711"))
    assert window.lock() and window.locked
    assert window.tabs.tabBar().isHidden() and window.tabs.currentWidget() is window.scan
    assert not window.staff_button.isHidden() and window.status.waiting.isHidden()
    assert not window.close() and window.isVisible()  # Alt+F4 and the like do nothing
    assert window.isFullScreen() or QApplication.platformName() == "offscreen"

    def wrong_then_right(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin.setText("0000")
        dialog.accept()
        when_modal(right)

    def right(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        assert "Wrong PIN" in dialog.message.text()
        dialog.pin.setText("4711")
        dialog.accept()

    when_modal(wrong_then_right)
    assert window.ask_unlock() and not window.locked
    assert not window.tabs.tabBar().isHidden()
    assert window.close()


def _outcome(kind: VerdictKind = VerdictKind.NOT_ON_LIST) -> ScanOutcome:
    return ScanOutcome(Verdict(kind), "XX-1")


def test_the_self_check_in_variant_faces_guests(qtbot: QtBot) -> None:
    search = SearchPanel(GuestDesk(lambda text: [], lambda g, a: _outcome()))
    window = KioskWindow(
        "Gala", "Self check-in", "checkIn", search, StatisticsPanel(), self_check_in=True
    )
    qtbot.addWidget(window)
    # No list of other guests exists in this window at all.
    assert window.tabs.count() == 1 and window.search is None and window.statistics is None
    assert window.scan.undo.isHidden()
    window.scan.show_outcome(_outcome())
    assert window.scan.verdict.detail.text().endswith("Please ask a member of staff.")


# -- settings -------------------------------------------------------------------------


def test_settings_are_saved_privately_and_read_back(tmp_path: Path) -> None:
    settings = KioskSettings(camera="1", sounds=False, sync_interval=10.0, language="de")
    settings.set_pin("2468")
    settings.save(tmp_path)
    assert stat.S_IMODE((tmp_path / "settings.json").stat().st_mode) == 0o600
    again = KioskSettings.load(tmp_path)
    assert again == settings
    assert again.pin_matches("2468") and not again.pin_matches("2469")
    assert "2468" not in (tmp_path / "settings.json").read_text()


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"sync_interval": "fast", "language": "xx"}'],
)
def test_a_damaged_settings_file_falls_back_to_defaults(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "settings.json").write_bytes(content)
    settings = KioskSettings.load(tmp_path)
    assert settings == KioskSettings()
    if content.startswith(b'{"'):
        assert settings.problem is None  # readable: the bad values alone are ignored
    else:
        assert settings.problem and "defaults" in settings.problem


def test_the_settings_screen_edits_a_copy(qtbot: QtBot) -> None:
    original = KioskSettings()
    dialog = SettingsDialog(original, [("0", "Integrated Camera"), ("1", "USB Camera")])
    qtbot.addWidget(dialog)
    dialog.camera.setCurrentIndex(1)
    dialog.formats["PDF417"].setChecked(False)
    dialog.formats["EAN13"].setChecked(True)
    dialog.sounds.setChecked(False)
    dialog.interval.setCurrentIndex(dialog.interval.findData(30.0))
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    dialog.layout_box.setCurrentIndex(dialog.layout_box.findData("qwertz"))
    chosen = dialog.result_settings()
    assert (chosen.camera, chosen.sounds, chosen.sync_interval, chosen.language) == (
        "1", False, 30.0, "de")  # fmt: skip
    assert "PDF417" not in chosen.formats and "EAN13" in chosen.formats
    assert chosen.keyboard_layout == "qwertz"
    assert original == KioskSettings()  # untouched until saved
    for box in dialog.formats.values():
        box.setChecked(False)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "at least one" in dialog.note.text()


# -- sounds ---------------------------------------------------------------------------


def test_the_three_sounds_differ_and_are_real_wav_files() -> None:
    lengths = {}
    for name in ("admit", "careful", "deny"):
        with wave.open(str(sound_file(name))) as file:
            assert file.getnchannels() == 1 and file.getframerate() >= 16000
            lengths[name] = file.getnframes()
    assert len(set(lengths.values())) == 3
    assert set(SOUND_OF.values()) == {"admit", "careful", "deny"}


def test_a_sound_is_handed_to_the_player_without_waiting(tmp_path: Path) -> None:
    log = tmp_path / "played.txt"
    player = tmp_path / "player.py"
    player.write_text(
        f"import sys, pathlib\npathlib.Path({str(log)!r}).open('a').write(sys.argv[1] + '\\n')\n"
    )
    sounds = SoundPlayer(command=[sys.executable, str(player)])
    assert sounds.play_verdict(VerdictKind.ADMIT)
    assert sounds.play_verdict(VerdictKind.NOT_ON_LIST)
    sounds.wait(30)
    played = log.read_text().split()
    assert played[-1].endswith("deny.wav")
    assert sounds.play_verdict(VerdictKind.ADMIT, attention=True)  # an admit to look at
    sounds.wait(30)
    assert log.read_text().split()[-1].endswith("careful.wav")
    sounds.enabled = False
    assert not sounds.play_verdict(VerdictKind.ADMIT)


def test_no_player_means_silence_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert find_player("linux") is None
    sounds = SoundPlayer(command=None)
    sounds.command = None
    assert not sounds.available and not sounds.play_verdict(VerdictKind.ADMIT)
    gone = SoundPlayer(command=["/nonexistent/player"])
    assert not gone.play_verdict(VerdictKind.ADMIT) and not gone.available


# -- languages ------------------------------------------------------------------------


def test_the_language_follows_the_system_or_the_setting() -> None:
    assert chosen_language("system", QLocale("de_AT")) == "de"
    assert chosen_language("system", QLocale("fr_FR")) == "en"
    assert chosen_language("en", QLocale("de_DE")) == "en"
    assert chosen_language("de", QLocale("en_GB")) == "de"


def test_switching_to_german_translates_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)

    def build() -> KioskWindow:
        window = KioskWindow("Gala", "Main Entrance", "checkIn", None, StatisticsPanel())
        qtbot.addWidget(window)
        return window

    try:
        assert install_language(app, "de") == "de"
        german = build()
        assert [german.tabs.tabText(i) for i in range(2)] == ["Eingang", "Statistik"]
        assert german.scan.verdict.title.text() == "Bereit"
        german.scan.show_outcome(_outcome(VerdictKind.NOT_ON_LIST))
        assert german.scan.verdict.title.text() == "Nicht auf der Liste"
        assert "XX-1" in german.scan.verdict.detail.text()
        # The station's errors, made below the UI, are shown in German too.
        german.status.show_sync(SyncStatus(False, None, ServerUnreachableError().message, 5.0))
        assert german.status.online.toolTip().startswith("Der Stationsserver ist nicht")
        # And a guest source's, made with values in it (a port nobody listens on).
        with (
            httpx.Client(base_url="http://127.0.0.1:9", timeout=2) as http,
            pytest.raises(SourceError) as unreachable,
        ):
            request_json(http, "XING Events", "GET", "/", {})
        assert unreachable.value.message.startswith("Cannot reach XING Events")
        german.status.show_sync(SyncStatus(False, None, unreachable.value.words, 5.0))
        assert german.status.online.toolTip() == (
            "XING Events ist nicht erreichbar; der Eingang arbeitet offline weiter"
        )
        # A source's protocol trouble: a legacy Eventbrite answer that is not XML.
        with pytest.raises(SourceError) as garbled:
            parse_legacy_xml(b"<attendees><attendee>")
        german.status.show_sync(SyncStatus(False, None, garbled.value.words, 5.0))
        assert german.status.online.toolTip().startswith("Die Antwort ist kein wohlgeformtes XML")
        # A phrase inside a phrase: an unreadable guest list and why.
        (tmp_path / "leer.csv").write_text("", encoding="utf-8")
        with pytest.raises(SpreadsheetError) as empty:
            read_table(tmp_path / "leer.csv")
        why = phrase("The guest list cannot be read: {why}", why=empty.value.phrase)
        german.status.show_sync(SyncStatus(False, None, why, 5.0))
        assert german.status.online.toolTip() == (
            "Die Gästeliste kann nicht gelesen werden: die Datei hat keine Zeilen"
        )
    finally:
        install_language(app, "en")
    english = build()
    assert english.tabs.tabText(0) == "Door"


def test_every_text_has_a_german_translation_and_the_catalogue_is_compiled(
    tmp_path: Path,
) -> None:
    from tools import translations

    texts = translations.collect()
    known = translations.read_catalogue()
    assert len(texts) > 100
    assert translations.problems(texts, known) == []
    fresh = translations.compile_catalogue(qm=tmp_path / "fresh.qm")
    assert fresh.read_bytes() == translations.CATALOGUE.with_suffix(".qm").read_bytes()


def test_no_widget_is_left_without_an_accessible_name(qtbot: QtBot) -> None:
    """Every control a screen reader or keyboard user reaches says what it is."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget

    search = SearchPanel(GuestDesk(lambda text: [], lambda g, a: _outcome()))
    window = KioskWindow("Gala", "Main Entrance", "toggle", search, StatisticsPanel())
    qtbot.addWidget(window)
    controls: list[QWidget] = [
        w for kind in (QLineEdit, QListWidget, QComboBox) for w in window.findChildren(kind)
    ]
    unnamed = [w for w in controls if not w.accessibleName()]
    unnamed += [
        b
        for b in window.findChildren(QAbstractButton)
        if not (b.accessibleName() or b.text()) and b.isVisibleTo(window)
    ]
    assert unnamed == []
