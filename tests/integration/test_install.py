"""What an installed kiosk needs beyond its features: the self-test, the version,
logs that rotate and never hold a secret, and crash reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import RunningServer


def doorcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "doorcheck", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_the_self_test_checks_every_part_and_says_so() -> None:
    result = doorcheck("self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("doorcheck ") and lines[0].endswith(" self-test")
    checks = [line for line in lines if line.startswith(("ok ", "FAIL"))]
    assert [c.split(":")[0].removeprefix("ok").strip() for c in checks] == [
        "local store",
        "encrypted store",
        "decode the sample ticket",
        "play a video",
        "check-in round trip",
        "doors nearby",
        "print a sheet",
        "kiosk window",
        "badge",
        "sounds",
    ]
    assert "DC-SELFTEST-7Q2M" in result.stdout and lines[-1] == "all checks passed"


def test_a_failing_check_makes_the_self_test_fail(tmp_path: Path) -> None:
    # A resources folder whose sample ticket is damaged: that check (and the round
    # trip, which needs its code) fail; the others still run and report.
    script = (
        "import doorcheck.selftest as s, pathlib\n"
        f"bad = pathlib.Path({str(tmp_path)!r}) / 'bad.jpg'\n"
        "bad.write_bytes(b'not a picture')\n"
        "shipped = s.resource\n"
        "s.resource = lambda *parts: bad if parts == ('sample-ticket.jpg',) else shipped(*parts)\n"
        "raise SystemExit(s.run())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 1
    assert "FAIL decode the sample ticket" in result.stdout
    assert "FAIL check-in round trip" in result.stdout
    assert "ok   local store" in result.stdout and "2 check(s) failed" in result.stdout


def test_the_version_is_printed() -> None:
    from doorcheck import __version__

    result = doorcheck("--version")
    assert result.stdout.strip() == f"doorcheck {__version__}"


def test_the_log_holds_what_happened_but_never_a_secret(
    server: RunningServer, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    env = {"DOORCHECK_LOG_DIR": str(logs)}
    data = ["--data", str(tmp_path / "door")]
    login = ["login", "--server", server.url, "--event", server.event_id,
             "--key", "main-code-1", "--station", "Main Entrance", *data]  # fmt: skip
    assert doorcheck("-v", *login, env=env).returncode == 0
    assert doorcheck("-v", "sync", *data, env=env).returncode == 0
    text = (logs / "doorcheck.log").read_text(encoding="utf-8")
    assert "HTTP Request: POST" in text  # requests are logged, to the file
    assert "main-code-1" not in text
    # The session token the door got (kept in the user-only secret file) is not there.
    secrets = [json.loads(path.read_text()) for path in (tmp_path / "door").rglob("secret.json")]
    tokens = [value for found in secrets for value in found.values()]
    assert any(len(token) > 16 for token in tokens)  # a session token was saved
    assert all(token not in text for token in tokens)


def test_an_unexpected_error_leaves_a_crash_report_without_secrets(tmp_path: Path) -> None:
    script = (
        "from doorcheck.logs import setup_logging, register_secret\n"
        "setup_logging()\n"
        "register_secret('app-code-s3cr3t')\n"
        "import logging; logging.getLogger('x').warning('sent %s', 'app-code-s3cr3t')\n"
        "raise RuntimeError('server said no to app-code-s3cr3t')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DOORCHECK_LOG_DIR": str(tmp_path)},
    )
    assert result.returncode == 1
    (report,) = (tmp_path / "crash-reports").glob("crash-*.txt")
    assert str(report) in result.stderr and "unexpected error" in result.stderr
    text = report.read_text(encoding="utf-8")
    # The message is withheld whole (it may name a guest, see tests/integration/test_crash.py).
    assert "RuntimeError: [message withheld" in text
    log = (tmp_path / "doorcheck.log").read_text(encoding="utf-8")
    assert "sent [secret]" in log and "sent [secret]" in result.stderr
    assert "app-code-s3cr3t" not in text + result.stderr + log
    assert "doorcheck " in text.splitlines()[0]


def test_logs_rotate_at_a_megabyte(tmp_path: Path) -> None:
    script = (
        "import logging\n"
        "from doorcheck.logs import setup_logging\n"
        "setup_logging()\n"
        "for i in range(12000): logging.getLogger('t').warning('line %d %s', i, 'x' * 500)\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        timeout=120,
        env={**os.environ, "DOORCHECK_LOG_DIR": str(tmp_path)},
        check=True,
    )
    files = sorted(p.name for p in tmp_path.glob("doorcheck.log*"))
    assert files == [f"doorcheck.log{s}" for s in ("", ".1", ".2", ".3", ".4")]
    assert all(p.stat().st_size <= (1 << 20) + 1000 for p in tmp_path.glob("doorcheck.log*"))
