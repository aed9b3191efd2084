from __future__ import annotations

import os

# Widgets render offscreen: no display is needed, here or in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import PG_ENV, RunningServer, fresh_engine, populate, running_server

DATABASES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not os.environ.get(PG_ENV),
                reason=f"no PostgreSQL server: set {PG_ENV} (.ci/run starts one)",
            ),
        ],
    ),
]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Never touch the developer's real keyring or data folders from a test.
    monkeypatch.setenv("DOORCHECK_SECRETS", "file")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("DOORCHECK_LOG_DIR", str(tmp_path / "logs"))
    yield
    # A command run in this process (cli.main) logs to this test's captured stderr
    # and its folder; a later test in the same worker must not log into either.
    from doorcheck.logs import stop_logging

    stop_logging()


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(database: str, tmp_path: Path) -> Iterator[RunningServer]:
    """A real station server on loopback with a populated event, fresh per test."""
    with running_server(fresh_engine(database, tmp_path)) as running:
        yield populate(running)


# The longest tests (a minute or more each on two cores: 50 SIGKILLs, five door
# processes, a camera reel), started first: run last, one of them alone would keep
# the whole suite waiting after every other test is done.
LONGEST_FIRST = (
    "tests/integration/test_crash.py",
    "tests/integration/test_peers.py",
    "tests/integration/test_peers_netns.py",
    "tests/integration/test_cli.py::test_a_camera_door_checks_guests_in_from_the_ticket_reel",
    "tests/unit/server/test_repository.py::test_a_flood_is_bounded",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, start in enumerate(LONGEST_FIRST) if item.nodeid.startswith(start)),
            len(LONGEST_FIRST),
        )

    items.sort(key=rank)  # stable: the rest keep their order
