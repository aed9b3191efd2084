"""Draws the doorcheck icon (a green door with a check mark) into packaging/icons:
PNG sizes for Linux, .ico for Windows, .icns for macOS. Run once; the files are
committed."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "packaging" / "icons"
GREEN = (27, 94, 32, 255)
SLATE = (38, 50, 56, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int = 1024) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    s = size / 1024
    d.rounded_rectangle((64 * s, 64 * s, 960 * s, 960 * s), radius=180 * s, fill=SLATE)
    # The door: an open frame with a green leaf.
    d.rectangle((300 * s, 190 * s, 724 * s, 860 * s), fill=WHITE)
    d.rectangle((340 * s, 230 * s, 684 * s, 860 * s), fill=GREEN)
    # The check mark over it.
    d.line(
        [(400 * s, 560 * s), (500 * s, 670 * s), (660 * s, 420 * s)],
        fill=WHITE,
        width=int(70 * s),
        joint="curve",
    )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    for size in (48, 128, 256, 512):
        big.resize((size, size), Image.Resampling.LANCZOS).save(OUT / f"doorcheck-{size}.png")
    big.save(OUT / "doorcheck.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (256, 256)])
    big.save(OUT / "doorcheck.icns")
    print(OUT)


if __name__ == "__main__":
    main()
