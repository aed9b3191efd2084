#!/usr/bin/env python3
"""Set up doorcheck in ./.venv and run it: the README's two commands.

    python3 run.py demo    start the demo (station server + kiosk against it)
    python3 run.py test    lint, type-check, check import contracts, run the tests

Needs only Python 3.11+. The first run creates .venv and installs the pinned
versions from constraints.txt; later runs reinstall only when pyproject.toml or
constraints.txt changed. Extra arguments after ``test`` go to pytest, and after
``demo`` to ``doorcheck demo``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".doorcheck-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def fail(message: str) -> None:
    sys.stderr.write(f"run.py: {message}\n")
    raise SystemExit(1)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        fail(f"doorcheck needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("run.py: creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = fingerprint()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("run.py: installing doorcheck and its pinned dependencies ...", flush=True)
    command = [
        str(BIN / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        str(ROOT / "constraints.txt"),
        "-e",
        f"{ROOT}[dev]",
    ]
    if subprocess.call(command) != 0:
        # Once more: on CI the installer's build installs into its own venv at the
        # same time, and a download or the shared cache can fail once.
        print("run.py: installing failed; trying once more ...", flush=True)
        if subprocess.call(command) != 0:
            fail("installing the dependencies failed (see pip's message above)")
    STAMP.write_text(wanted)


def run(*command: str) -> int:
    return subprocess.call(list(command), cwd=ROOT)


# What ruff checks and formats.
LINTED = ["src", "tests", "benchmarks", "tools", "packaging", "run.py"]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    python = str(BIN / "python")
    if argv[0] == "demo":
        return run(python, "-m", "doorcheck", "demo", *argv[1:])
    if len(argv) == 1:  # the whole gate: lint, format, types, tests
        for step in (
            [python, "-m", "ruff", "check", *LINTED],
            [python, "-m", "ruff", "format", "--check", *LINTED],
            [python, "-m", "mypy"],
            # The import contracts of pyproject.toml ([tool.importlinter]).
            [str(BIN / "lint-imports"), "--no-cache"],
        ):
            print("run.py:", " ".join(step[2:] if step[0] == python else step), flush=True)
            if run(*step) != 0:
                return 1
        # Two workers per core: most tests wait on servers, subprocesses and sockets
        # more than they compute, so four workers on two cores keep both busy (11.3
        # instead of 12.3 minutes here; CI's 30 minutes include the installer).
        workers = str(2 * (os.cpu_count() or 1))
        return run(python, "-m", "pytest", "-n", workers, "--dist", "worksteal")
    return run(python, "-m", "pytest", *argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
