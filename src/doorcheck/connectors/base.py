"""What every guest source offers the kiosk, and loading one into the store.

A source declares what it can do (``Capability``); the GUI and the CLI offer only
that. Every source hands over guests in the station's wire form, so the store, the
verdicts and the scan path are the same whatever the source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Protocol

from doorcheck.protocol.liststream import WireGuest
from doorcheck.store.local import LocalStore
from doorcheck.words import Phrase


class SourceError(Exception):
    """A guest source failed; ``message`` is for the steward (in English; ``words``
    is the same, translatable where it was made with ``phrase``)."""

    def __init__(
        self, message: str | Phrase, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.words = message
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the source asked us to wait, if it said


class CursorLostError(SourceError):
    """The source no longer knows our cursor: load everything again."""


class Capability(StrEnum):
    READ = "read"  # a full guest list
    INCREMENTS = "increments"  # changes since a stored cursor
    WRITE_BACK = "write-back"  # check-ins recorded at the source


class Connector(Protocol):
    name: str
    capabilities: frozenset[Capability]

    def full_load(self) -> Iterator[Sequence[WireGuest]]:
        """The whole list, in batches."""
        ...

    def cursor(self) -> str:
        """Where the next increments start (for a file: its content's hash)."""
        ...


def load_full(store: LocalStore, connector: Connector) -> int:
    """Replace the store's guest list with the source's; guests no longer there are
    marked deleted, this door's changes are kept. Returns the guests written."""
    generation = store.start_full_sync()
    written = 0
    for batch in connector.full_load():
        written += store.write_wire(batch, generation=generation)
    store.finish_full_sync(generation, connector.cursor())
    return written
