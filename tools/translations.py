"""Collects the kiosk's texts into the German catalogue and compiles it.

    python tools/translations.py           # update doorcheck_de.ts, compile doorcheck_de.qm
    python tools/translations.py --check   # exit 1 if a text lacks a translation

Texts are the string literals passed to ``tr(...)``, ``mark(...)`` or ``phrase(...)`` in
``src/doorcheck``. Translations live in the .ts file (Qt Linguist opens it); new
texts are added there as unfinished, texts no longer used are dropped. The .qm file
is made by Qt's own lrelease, shipped inside PySide6.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "doorcheck"
CATALOGUE = SOURCE / "resources" / "i18n" / "doorcheck_de.ts"
CONTEXT = "doorcheck"


def collect(source: Path = SOURCE) -> list[str]:
    """Every text marked for translation, in the order first met."""
    texts: dict[str, None] = {}
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "mark", "phrase")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                texts.setdefault(node.args[0].value, None)
    return list(texts)


def read_catalogue(path: Path = CATALOGUE) -> dict[str, str]:
    """source text -> finished translation."""
    if not path.exists():
        return {}
    found = {}
    for message in ET.parse(path).getroot().iter("message"):  # noqa: S314
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is not None and translation.get("type") != "unfinished":
            found[source] = translation.text or ""
    return found


def write_catalogue(texts: list[str], known: dict[str, str], path: Path = CATALOGUE) -> None:
    root = ET.Element("TS", version="2.1", language="de_DE", sourcelanguage="en")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for text in texts:
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = text
        translation = ET.SubElement(message, "translation")
        if text in known:
            translation.text = known[text]
        else:
            translation.set("type", "unfinished")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ET.tostring(root, encoding="unicode")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )


def lrelease() -> Path:
    import PySide6

    folder = Path(PySide6.__file__).parent
    for name in ("lrelease", "lrelease.exe"):
        if (folder / name).exists():
            return folder / name
    raise SystemExit("lrelease not found in the PySide6 package")


def compile_catalogue(ts: Path = CATALOGUE, qm: Path | None = None) -> Path:
    qm = qm or ts.with_suffix(".qm")
    subprocess.run(  # noqa: S603 - Qt's tool on our own file
        [str(lrelease()), "-silent", str(ts), "-qm", str(qm)], check=True
    )
    return qm


def problems(texts: list[str], known: dict[str, str]) -> list[str]:
    """Texts without a translation, and translations that lost a {placeholder}."""
    found = []
    for text in texts:
        if text not in known:
            found.append(f"not translated: {text!r}")
            continue
        for part in ("{" + name for name in text.split("{")[1:]):
            placeholder = part[: part.find("}") + 1]
            if placeholder and placeholder not in known[text]:
                found.append(f"{text!r}: the translation lacks {placeholder}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    texts = collect()
    known = read_catalogue()
    found = problems(texts, known)
    if args.check:
        for line in found:
            print(line)
        return 1 if found else 0
    write_catalogue(texts, known)
    compile_catalogue()
    for line in found:
        print(line)
    print(f"{len(texts)} texts, {len(texts) - len(found)} translated: {CATALOGUE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
