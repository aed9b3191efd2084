"""The files doorcheck ships (icon, sounds, translations, the self-test's ticket),
found the same way whether it runs from a checkout, a wheel or the frozen installer.

    resource("sounds", "admit.wav") -> Path
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource(*parts: str) -> Path:
    """The path of a shipped file, given as its folder and file name parts."""
    place = resources.files(__name__)
    for part in parts:  # one at a time: a frozen build's Traversable takes one
        place = place / part
    return Path(str(place))
