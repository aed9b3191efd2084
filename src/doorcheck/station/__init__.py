"""The kiosk's station client (httpx): logging in, the guest list, the write extension.

Public surface::

    StationClient, Credentials, ChangeWriter, StationChangeWriter

The protocol's data (wire models, the error tree) is in :mod:`doorcheck.protocol`.
"""

from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import ChangeWriter, StationChangeWriter

__all__ = ["ChangeWriter", "Credentials", "StationChangeWriter", "StationClient"]
