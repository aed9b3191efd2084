"""The Statistics tab's occupancy: inside per zone against capacity, warnings at 80 %
and 95 %, and how fresh each zone's figure is (docs/occupancy.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from doorcheck.domain.occupancy import DoorZone, Occupancy, ZoneCount
from doorcheck.ui.statistics_panel import StatisticsPanel
from doorcheck.views import PeerView, StationCount, Statistics

NOW = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)


def statistics(occupancy: Occupancy) -> Statistics:
    stations = [StationCount("Main Entrance", 90, 0, 80), StationCount("VIP Lounge", 19, 0, 19)]
    return Statistics([], occupancy.inside, 300, stations, occupancy)


def peer(station: str, *, stale: bool, zone: str | None = None) -> PeerView:
    heard = NOW - timedelta(seconds=95 if stale else 2)
    return PeerView("a" * 32, station, None, heard, stale, 4, None, None,
                    DoorZone(zone) if zone else None)  # fmt: skip


def item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    found = table.item(row, column)
    assert found is not None, (row, column)
    return found


def cells(panel: StatisticsPanel, row: int) -> list[str]:
    items = [panel.zones.item(row, column) for column in range(3)]
    return [item.text() if item else "" for item in items]


def test_zones_are_shown_against_their_capacity_with_warnings(qtbot: QtBot) -> None:
    panel = StatisticsPanel()
    qtbot.addWidget(panel)
    assert panel.zones.isHidden()  # no zones: nothing about them
    counted = Occupancy(
        (
            ZoneCount("Ballroom", 80, 100, ("Main Entrance", "Side Door")),
            ZoneCount("VIP Lounge", 19, 20, ("VIP Lounge",)),
            ZoneCount("Terrace", 3, None, ("Terrace Gate",)),
        ),
        inside=103,
        capacity=250,
        elsewhere=1,
    )
    panel.show_statistics(statistics(counted), now=NOW)
    assert not panel.zones.isHidden()
    assert panel.inside.text() == "103 inside now of 250 allowed (41 %)"
    assert cells(panel, 0) == ["Ballroom", "\u26a0 80 of 100 (80 %)", "now"]
    assert cells(panel, 1) == ["VIP Lounge", "\u26a0 19 of 20 (95 %)", "now"]
    assert cells(panel, 2) == ["Terrace", "3", "now"]
    assert cells(panel, 3) == ["No zone", "1", ""]
    amber = item(panel.zones, 0, 1).foreground().color().name()
    red = item(panel.zones, 1, 1).foreground().color().name()
    assert (amber, red) == ("#e65100", "#b71c1c")
    assert item(panel.zones, 1, 1).toolTip() == "95 % full"


def test_the_whole_event_warns_in_the_headline(qtbot: QtBot) -> None:
    panel = StatisticsPanel()
    qtbot.addWidget(panel)
    counted = Occupancy((), inside=96, capacity=100)
    panel.show_statistics(statistics(counted), now=NOW)
    assert panel.inside.text() == "96 inside now of 100 allowed (96 %) \u2013 95 % full"
    assert "#b71c1c" in panel.inside.styleSheet()
    assert not panel.zones.isHidden()  # a capacity alone is worth the table's place


def test_a_zone_with_a_quiet_door_says_since_when_its_figure_is_missing(qtbot: QtBot) -> None:
    panel = StatisticsPanel()
    qtbot.addWidget(panel)
    counted = Occupancy((ZoneCount("Ballroom", 40, 100, ("Main Entrance", "Side Door")),), 40)
    panel.show_statistics(statistics(counted), now=NOW)
    panel.show_peers([peer("Side Door", stale=True, zone="Ballroom"), peer("Bar", stale=False)])
    heard = (NOW - timedelta(seconds=95)).astimezone()
    assert cells(panel, 0)[2] == f"Side Door: as of {heard:%H:%M:%S}"
    assert item(panel.zones, 0, 2).foreground().color().name() == "#b71c1c"
    assert "not counted" in item(panel.zones, 0, 2).toolTip()
    # The list of doors names each door's zone.
    assert item(panel.doors, 0, 1).text() == "Ballroom"
    assert item(panel.doors, 1, 1).text() == ""
    # Heard from again: the figure is fresh.
    panel.show_peers([peer("Side Door", stale=False, zone="Ballroom")])
    assert cells(panel, 0)[2] == "now"


def test_a_hostile_zone_name_is_plain_text(qtbot: QtBot) -> None:
    panel = StatisticsPanel()
    qtbot.addWidget(panel)
    counted = Occupancy((ZoneCount("<b>Hall</b>", 1, None, ()),), 1)
    panel.show_statistics(statistics(counted), now=NOW)
    assert cells(panel, 0)[0] == "<b>Hall</b>"  # a table item never renders markup
