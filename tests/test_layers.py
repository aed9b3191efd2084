"""DESIGN.md §3: the domain package imports no Qt, network, database or camera code."""

from __future__ import annotations

import ast
from pathlib import Path

import doorcheck.domain

FORBIDDEN = {
    "PySide6",
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "cv2",
    "zxingcpp",
    "starlette",
    "uvicorn",
    "socket",
    "sqlite3",
    "keyring",
}
DOMAIN = Path(doorcheck.domain.__file__).parent


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
            if node.module.startswith("doorcheck.") and not node.module.startswith(
                "doorcheck.domain"
            ):
                roots.add(node.module)
    return roots


def test_domain_imports_nothing_forbidden() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 4
    for path in files:
        roots = imported_roots(path)
        assert not roots & FORBIDDEN, f"{path.name} imports {roots & FORBIDDEN}"
        outside = {r for r in roots if r.startswith("doorcheck.")}
        assert not outside, f"{path.name} imports {outside} from outside the domain"
