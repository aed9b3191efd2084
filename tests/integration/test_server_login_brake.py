"""The login brake: shared, not reset by a success, growing delays, no lockout (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from doorcheck.server.brake import (
    BrakeSettings,
    Budget,
    client_address,
    delay_after,
)
from doorcheck.server.db import make_engine
from doorcheck.server.security import app_code_weakness, new_app_code
from tests.support import RunningServer, fresh_engine, populate, running_server

FREE = BrakeSettings().per_address.free


def login(
    server: RunningServer,
    app_code: str,
    station: str = "Main Entrance",
    *,
    event_id: str | None = None,
    forwarded_for: str | None = None,
    client: httpx.Client | None = None,
) -> int:
    """The login's answer code: 0 for success, else the error code."""
    body = {"eventId": event_id or server.event_id, "apiKey": app_code, "stationName": station}
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    post = client.post if client is not None else httpx.post
    answer = post(server.url + "/api/v1/login", json=body, headers=headers, timeout=60)
    data = answer.json()
    return 0 if data["status"] == "success" else int(data["errors"][0]["code"])


def test_a_parallel_burst_gets_no_more_than_the_free_checks(server: RunningServer) -> None:
    # Delays too long to pass during the burst, however slow the machine: every
    # attempt past the free ones must be refused, not merely most of them.
    long = Budget(FREE, timedelta(hours=1), timedelta(hours=1))
    server.brake.settings = BrakeSettings(per_address=long, per_station=long)
    with httpx.Client(limits=httpx.Limits(max_connections=50)) as client:

        def guess(n: int) -> int:
            return login(server, f"guess-{n}", client=client)

        with ThreadPoolExecutor(max_workers=50) as pool:
            codes = list(pool.map(guess, range(200)))
    assert codes.count(1010) <= FREE
    assert codes.count(1030) >= 200 - FREE
    assert set(codes) <= {1010, 1030}


def test_a_success_elsewhere_does_not_reset_the_count(server: RunningServer) -> None:
    other = server.repository.create_event("Own Event")
    server.repository.create_station(other, "Own Door", app_code="own-code-12345")
    codes = [login(server, f"guess-{n}") for n in range(FREE)]
    assert codes == [1010] * FREE
    # The guesser logs in to its own event, then guesses on: still braked.
    server.clock.advance(timedelta(seconds=5))
    assert login(server, "own-code-12345", "Own Door", event_id=other) == 0
    assert login(server, "guess-again") == 1010
    assert login(server, "guess-once-more") == 1030


def test_delays_grow_but_the_right_code_gets_in_after_the_cap(server: RunningServer) -> None:
    for n in range(FREE + 7):
        server.clock.advance(timedelta(minutes=1))  # the longest delay: every guess is checked
        assert login(server, f"guess-{n}") == 1010
    assert login(server, "main-code-1") == 1030  # the brake holds even the right code...
    server.clock.advance(BrakeSettings().per_address.max_delay + timedelta(seconds=1))
    assert login(server, "main-code-1") == 0  # ...but only for the capped delay


def test_delay_doubles_up_to_its_cap() -> None:
    budget = Budget(free=3, first_delay=timedelta(seconds=2), max_delay=timedelta(seconds=60))
    delays = [delay_after(n, budget).total_seconds() for n in range(12)]
    assert delays == [0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert delay_after(10**9, budget) == budget.max_delay


def test_forwarded_for_is_ignored_unless_the_proxy_is_configured(server: RunningServer) -> None:
    codes = [login(server, f"g{n}", forwarded_for=f"203.0.113.{n}") for n in range(FREE + 3)]
    assert codes[:FREE] == [1010] * FREE
    assert codes[FREE:] == [1030] * 3


def test_client_address_reads_forwarded_for_from_trusted_proxies_only() -> None:
    proxies = frozenset({"10.0.0.1"})
    assert client_address("10.0.0.9", "198.51.100.7", proxies) == "10.0.0.9"
    assert client_address("10.0.0.1", "6.6.6.6, 198.51.100.7", proxies) == "198.51.100.7"
    assert client_address("10.0.0.1", "198.51.100.7, 10.0.0.1", proxies) == "198.51.100.7"
    assert client_address("10.0.0.1", None, proxies) == "10.0.0.1"
    assert client_address("::ffff:1.2.3.4", None, proxies) == "::ffff:102:304"
    assert client_address(None, None, proxies).startswith("invalid:")


@pytest.fixture
def proxied_server(tmp_path: Path) -> Iterator[RunningServer]:
    settings = BrakeSettings(trusted_proxies=frozenset({"127.0.0.1"}))
    with running_server(fresh_engine("sqlite", tmp_path), brake_settings=settings) as running:
        yield populate(running)


def test_a_station_is_braked_however_many_addresses_guess(proxied_server: RunningServer) -> None:
    server = proxied_server
    free = BrakeSettings().per_station.free
    codes = [login(server, f"g{n}", forwarded_for=f"198.51.100.{n}") for n in range(free + 3)]
    assert codes[:free] == [1010] * free
    assert codes[free:] == [1030] * 3
    # Another station of the same event is not held up by it.
    assert login(server, "side-code-2", "Side Door", forwarded_for="198.51.100.250") == 0


def test_every_worker_shares_the_count(server: RunningServer, tmp_path: Path) -> None:
    """Two server processes' worth: two apps with their own engines on one database."""
    second_engine = make_engine(server.repository.engine.url.render_as_string(hide_password=False))
    with running_server(second_engine, clock=server.clock) as second:
        second.event_id, second.stations = server.event_id, server.stations
        codes = [login(server if n % 2 else second, f"g{n}") for n in range(FREE + 3)]
    assert codes[:FREE] == [1010] * FREE
    assert codes[FREE:] == [1030] * 3


def test_new_app_codes_are_long_and_chosen_weak_ones_are_named() -> None:
    code = new_app_code()
    assert len(code) >= 10
    assert app_code_weakness(code) is None
    for weak in ("aBcDeFgH", "1234567890", "aaaaaaaaaaaaaaaa", "password12"):
        assert app_code_weakness(weak) is not None
    assert app_code_weakness("Tr7-kQ9z!mW2") is None


def test_trusted_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from doorcheck.server.serve import ENV_TRUSTED_PROXIES, brake_settings_from_env

    monkeypatch.delenv(ENV_TRUSTED_PROXIES, raising=False)
    assert brake_settings_from_env().trusted_proxies == frozenset()
    monkeypatch.setenv(ENV_TRUSTED_PROXIES, "10.0.0.1, 10.0.0.2,")
    assert brake_settings_from_env().trusted_proxies == {"10.0.0.1", "10.0.0.2"}


@pytest.mark.parametrize("trusted", [False, True])
def test_doorcheck_serve_trusts_a_proxy_only_when_told(tmp_path: Path, trusted: bool) -> None:
    """The real command: behind a proxy named with --trusted-proxy, guesses from many
    forwarded addresses each get an address's free failures; without it they are all
    the proxy's own and braked after its free ones."""
    from tests.support.cli import start_server, stop

    extra = ["--trusted-proxy", "127.0.0.1"] if trusted else []
    process, info = start_server("--demo", "--guests", "5", "--data", tmp_path / "s", *extra)
    try:
        body = {"eventId": info["eventId"], "stationName": "Main Entrance"}
        codes = []
        for n in range(FREE + 2):
            answer = httpx.post(
                info["url"] + "/api/v1/login",
                json={**body, "apiKey": f"wrong-{n}"},
                headers={"x-forwarded-for": f"198.51.100.{n}"},
                timeout=60,
            ).json()
            codes.append(int(answer["errors"][0]["code"]))
    finally:
        stop(process)
    assert codes == ([1010] * (FREE + 2) if trusted else [1010] * FREE + [1030] * 2)
