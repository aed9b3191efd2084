"""What the log folder keeps at rest: no secret in any encoding, no guest's email, and
nothing another user of the laptop can read."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine
from sqlalchemy.exc import IntegrityError

from doorcheck import logs
from doorcheck.cli import main as doorcheck
from doorcheck.server.serve import serve_app_in_thread
from tests.support.fake_xing import FakeXing

ROOT = Path(__file__).resolve().parents[2]
# Characters a query string must encode: slash, plus, equals, ampersand, space, umlaut.
ODD_KEY = "s3cr3t/key+with=odd&chars ü"


def encodings(secret: str) -> list[str]:
    """The forms a secret takes in a URL: as it is, encoded (once, twice, with ``+`` for
    a space, with lower-case hex)."""
    once = quote(secret, safe="")
    return [
        secret,
        once,
        quote_plus(secret, safe=""),
        quote(secret),  # "/" left as it is
        quote(once, safe=""),
        re.sub("%[0-9A-F]{2}", lambda hexa: hexa[0].lower(), once),
    ]


@pytest.fixture
def fresh_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets registered by a test stay in that test."""
    monkeypatch.setattr(logs, "_secrets", {})
    monkeypatch.setattr(logs, "_longest_first", [])


@pytest.fixture
def xing_url() -> Iterator[str]:
    with serve_app_in_thread(FakeXing().app()) as served:
        yield served


def test_a_key_in_a_query_string_is_masked_however_it_is_encoded(
    xing_url: str, tmp_path: Path, fresh_secrets: None
) -> None:
    # XING takes its key in the query string; httpx logs the URL percent-encoded.
    data = ["--data", str(tmp_path / "door")]
    doorcheck(["-v", "login", "--source", "xing", "--server", xing_url,
               "--key", ODD_KEY, "--event", "777", *data])  # fmt: skip
    doorcheck(["-v", "sync", *data])  # the fake knows another key: the log is what matters
    text = (tmp_path / "logs" / "doorcheck.log").read_text(encoding="utf-8")
    assert "HTTP Request: POST" in text and "apikey=[secret]" in text
    for form in encodings(ODD_KEY):
        assert form not in text


@settings(max_examples=100, deadline=None)
@given(
    secret=st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=4, max_size=40
    ).filter(lambda s: s.strip() == s and "%" not in s),
    before=st.sampled_from(["", "GET https://x.test/a?key=", "token "]),
)
def test_any_secret_is_masked_in_every_encoding(secret: str, before: str) -> None:
    saved = dict(logs._secrets), list(logs._longest_first)
    try:
        logs.register_secret(secret)
        for form in encodings(secret):
            masked = logs.redact(f"{before}{form}&next=1")
            assert masked == f"{before}{logs.MASK}&next=1", form
    finally:
        logs._secrets, logs._longest_first = saved


def test_hundreds_of_secrets_are_all_masked(
    fresh_secrets: None, capfd: pytest.CaptureFixture[str]
) -> None:
    """A door that runs for days logs in again and again: every token stays masked,
    the longest first, so one that contains another is masked whole, and RE2 never
    runs out of memory (as one pattern of all the secrets did)."""
    tokens = [f"session-token-{i:04d}-" + "t" * 60 for i in range(300)]
    for token in tokens:
        logs.register_secret(token)
    logs.register_secret("session-token-0007")  # a part of a longer one
    line = " ".join(quote_plus(token) for token in tokens[::7])
    assert logs.redact(line) == " ".join([logs.MASK] * len(tokens[::7]))
    assert "out of memory" not in capfd.readouterr().err


def test_an_email_address_in_a_log_line_is_masked(fresh_secrets: None) -> None:
    assert logs.redact("could not mail jane.doe+door@example.co.uk twice") == (
        "could not mail [email] twice"
    )


def write_logs(folder: Path, lines: int) -> None:
    """A real process that logs ``lines`` long lines into ``folder`` (and rotates)."""
    script = (
        "import logging\n"
        "from doorcheck.logs import setup_logging\n"
        "setup_logging()\n"
        f"for i in range({lines}): logging.getLogger('t').warning('line %d %s', i, 'x' * 500)\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        timeout=120,
        env={
            **os.environ,
            "DOORCHECK_LOG_DIR": str(folder),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        },
        check=True,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_log_folder_and_every_file_in_it_are_the_users_alone(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    # As an older version left it: readable by everyone.
    (folder / "crash-reports").mkdir(parents=True)
    folder.chmod(0o755)
    (folder / "crash-reports").chmod(0o755)
    for old in ("doorcheck.log", "doorcheck.log.1", "crash-reports/crash-20260101-000000-0.txt"):
        (folder / old).write_text("an old line\n", encoding="utf-8")
        (folder / old).chmod(0o644)
    write_logs(folder, 6000)  # about three megabytes: the file rotates twice or more
    files = sorted(folder.glob("doorcheck.log*"))
    assert len(files) >= 3
    assert mode(folder) == 0o700 and mode(folder / "crash-reports") == 0o700
    assert {mode(path) for path in files} == {0o600}
    assert mode(folder / "crash-reports" / "crash-20260101-000000-0.txt") == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_shared_folder_is_not_narrowed_but_the_log_in_it_is_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: everyone's, with the sticky bit
    write_logs(shared, 3)
    assert mode(shared) == 0o1777
    assert mode(shared / "doorcheck.log") == 0o600


def test_crash_reports_are_capped(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    crashes = folder / "crash-reports"
    crashes.mkdir(parents=True)
    for i in range(logs.MAX_CRASH_REPORTS + 5):
        (crashes / f"crash-20260101-000000-{i:06d}.txt").write_text("old", encoding="utf-8")
    try:
        raise ValueError("boom")
    except ValueError as exc:
        newest = logs.write_crash_report(folder, ValueError, exc, exc.__traceback__)
    reports = sorted(crashes.glob("crash-*.txt"))
    assert newest is not None and newest in reports
    assert len(reports) == logs.MAX_CRASH_REPORTS
    assert crashes / "crash-20260101-000000-000000.txt" not in reports  # the oldest went


def test_a_parameter_named_like_a_secret_is_masked_though_nobody_registered_it(
    xing_url: str, tmp_path: Path, fresh_secrets: None
) -> None:
    path = logs.setup_logging(folder=tmp_path / "own-logs")
    assert path is not None
    with httpx.Client(base_url=xing_url, timeout=5) as http:
        http.get("/api/sync/10", params={"user_key": "never-registered-1", "count": "5"})
        http.get("/api/sync/10", params={"Access_Token": "never-registered-2"})
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "user_key=[secret]&count=5" in text and "Access_Token=[secret]" in text
    assert "never-registered" not in text


def test_a_database_error_handed_to_a_log_call_keeps_its_sql_not_its_values(
    tmp_path: Path,
) -> None:
    path = logs.setup_logging(folder=tmp_path / "own-logs")
    assert path is not None
    engine = create_engine(f"sqlite:///{tmp_path / 'door.sqlite3'}")
    guests = Table("guests", MetaData(), Column("id", String, primary_key=True),
                   Column("name", String))  # fmt: skip
    guests.metadata.create_all(engine)
    row = {"id": "g-9", "name": "Quirin Obermaier"}
    with pytest.raises(IntegrityError) as failed, engine.begin() as connection:
        connection.execute(guests.insert(), [row, row])
    assert "Quirin Obermaier" in str(failed.value)  # SQLAlchemy puts the values in
    logging.getLogger("doorcheck.store").warning("could not save: %s", failed.value)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "could not save: IntegrityError: UNIQUE constraint failed: guests.id" in text
    assert "[SQL: INSERT INTO guests (id, name) VALUES (?, ?)]" in text
    assert "Quirin" not in text
    engine.dispose()


def test_a_huge_message_is_logged_cut_after_its_secrets_are_masked(
    tmp_path: Path, fresh_secrets: None
) -> None:
    path = logs.setup_logging(folder=tmp_path / "own-logs")
    assert path is not None
    secret = "cut-me-not-" + "s" * 40
    logs.register_secret(secret)
    # The secret straddles the cut: masked first, it cannot leave half of itself behind.
    answer = "x" * (logs.MAX_LOG_LINE - 10) + secret + "y" * 5_000_000
    logging.getLogger("doorcheck.sync").warning("the server answered %s", answer)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert len(text) < logs.MAX_LOG_LINE + 500
    assert "cut-me-not" not in text and "more characters left out]" in text
