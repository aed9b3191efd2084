"""Writes the kiosk's three sounds to src/doorcheck/resources/sounds (run once; the
WAV files are committed). Made here rather than downloaded so their licence is ours.

admit: two rising notes; careful: two equal notes; deny: three low buzzes. They
differ in pitch and rhythm, so they are told apart without looking.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "src" / "doorcheck" / "resources" / "sounds"


def tone(frequency: float, seconds: float, square: bool = False) -> list[float]:
    count = int(RATE * seconds)
    samples = []
    for i in range(count):
        phase = math.sin(2 * math.pi * frequency * i / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.5 if square else phase
        # 8 ms fade in and out: no clicks
        envelope = min(1.0, i / (0.008 * RATE), (count - i) / (0.008 * RATE))
        samples.append(value * envelope)
    return samples


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


SOUNDS = {
    "admit": tone(880, 0.09) + silence(0.03) + tone(1320, 0.14),
    "careful": tone(660, 0.12) + silence(0.08) + tone(660, 0.12),
    "deny": tone(220, 0.12, True)
    + silence(0.06)
    + tone(220, 0.12, True)
    + silence(0.06)
    + tone(220, 0.12, True),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, samples in SOUNDS.items():
        with wave.open(str(OUT / f"{name}.wav"), "wb") as file:
            file.setnchannels(1)
            file.setsampwidth(2)
            file.setframerate(RATE)
            file.writeframes(b"".join(struct.pack("<h", int(s * 0.6 * 32767)) for s in samples))
        print(OUT / f"{name}.wav")


if __name__ == "__main__":
    main()
