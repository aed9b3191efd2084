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
