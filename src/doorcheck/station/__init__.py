"""The station protocol: Invitario-style v1.0 plus doorcheck's write extension.

Public surface::

    StationClient, Credentials, LoginResult, EventInfo, StationConfiguration,
    GuestList, ChangeWriter, StationChangeWriter, OutgoingChange, ChangeResult

and the exception tree in :mod:`doorcheck.station.errors`.
"""

from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.errors import StationError
from doorcheck.station.wire import (
    ChangeResult,
    EventInfo,
    GuestList,
    LoginResult,
    OutgoingChange,
    StationConfiguration,
)
from doorcheck.station.writer import ChangeWriter, StationChangeWriter

__all__ = [
    "ChangeResult",
    "ChangeWriter",
    "Credentials",
    "EventInfo",
    "GuestList",
    "LoginResult",
    "OutgoingChange",
    "StationChangeWriter",
    "StationClient",
    "StationConfiguration",
    "StationError",
]
