"""doorcheck: an offline-first check-in kiosk for event entrances."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("doorcheck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
