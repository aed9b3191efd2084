"""The badge print log (store/badges.py): "once" is one badge per guest, across
scans and a restart; a failed print does not count; "always" prints again."""

from __future__ import annotations

from pathlib import Path

from doorcheck.domain.badge import AutoPrint, BadgeOptions
from doorcheck.session.badges import badge_options, print_log, set_badge_options
from doorcheck.store.badges import FAILED, PRINTED, PRINTING
from doorcheck.store.local import LocalStore


def test_once_claims_a_guest_once_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = LocalStore.open(path)
    prints = store.badge_prints
    first = prints.claim("g1", "Brother_QL", unless_printed=True)
    assert first is not None
    # A second scan while the first badge is still printing: nothing.
    assert prints.claim("g1", "Brother_QL", unless_printed=True) is None
    prints.finish(first, printer="Brother_QL", error=None)
    assert prints.claim("g2", "Brother_QL", unless_printed=True) is not None  # others print
    store.close()
    store = LocalStore.open(path)
    try:
        assert store.badge_prints.claim("g1", "Brother_QL", unless_printed=True) is None
        assert store.badge_prints.printed("g1")
        # "always", and a reprint, print whatever the log says.
        again = store.badge_prints.claim("g1", "Brother_QL", unless_printed=False)
        assert again is not None and again != first
        results = [p.result for p in print_log(store, "g1")]
        assert results == [PRINTING, PRINTED]  # the newest first
    finally:
        store.close()


def test_a_failed_print_is_logged_and_does_not_count(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "store.db")
    try:
        claim = store.badge_prints.claim("g1", "Office", unless_printed=True)
        assert claim is not None
        store.badge_prints.finish(claim, printer="Office", error="no such printer")
        (logged,) = print_log(store)
        assert (logged.guest_id, logged.printer, logged.result, logged.error) == (
            "g1", "Office", FAILED, "no such printer")  # fmt: skip
        assert not store.badge_prints.printed("g1")
        assert store.badge_prints.claim("g1", "Office", unless_printed=True) is not None
    finally:
        store.close()


def test_the_badge_settings_live_in_the_doors_settings(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "store.db")
    try:
        assert badge_options(store) == BadgeOptions()
        chosen = BadgeOptions(AutoPrint.ALWAYS, "Zebra_ZD421", "zebra")
        set_badge_options(store, chosen)
        assert badge_options(store) == chosen
        store.set_setting("badge_size", "poster")  # unknown: the default label
        assert badge_options(store).size == "dymo"
    finally:
        store.close()
