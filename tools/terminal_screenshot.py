"""Run a command and render its output as a terminal-style PNG for the docs.

    python tools/terminal_screenshot.py OUT.png -- doorcheck demo --exit

Used for the README's picture of the demo until the kiosk window exists.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = ["/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]
COLORS = {"ADMIT": "#7ee787", "EXIT": "#7ee787", "ALREADY": "#f0b849", "NOT": "#ff7b72"}


def render(lines: list[str], title: str) -> Image.Image:
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(next(p for p in FONT_PATHS if Path(p).exists()), 17)
    except StopIteration:
        font = ImageFont.load_default(size=17)
    width = max(len(line) for line in lines) * 10 + 60
    image = Image.new("RGB", (max(width, 700), len(lines) * 24 + 80), "#0d1117")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width, 34), fill="#21262d")
    for i, color in enumerate(("#ff5f56", "#ffbd2e", "#27c93f")):
        draw.ellipse((14 + i * 22, 11, 26 + i * 22, 23), fill=color)
    draw.text((90, 8), title, fill="#8b949e", font=font)
    for row, line in enumerate(lines):
        color = next((c for key, c in COLORS.items() if line.startswith(key)), "#e6edf3")
        if line.startswith("$"):
            color = "#79c0ff"
        draw.text((24, 50 + row * 24), line, fill=color, font=font)
    return image


def main(argv: list[str]) -> int:
    out, _, command = argv[0], argv[1], argv[2:]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    lines = ["$ python3 run.py demo", *result.stdout.rstrip().splitlines()]
    render(lines, "doorcheck demo").save(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
