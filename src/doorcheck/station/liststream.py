"""Reading a guest list answer as it streams in, one guest object at a time.

A full list can be 100,000 guests and tens of megabytes. This walks the top-level
object with the standard library's C scanner (``JSONDecoder.raw_decode``), hands
each guest over with its exact source text, and keeps only the unread rest of the
body in memory. ijson did the same job three times slower here, and still needed
a second pass for the keys around the array.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from typing import Any

WireGuest = tuple[dict[str, Any], str]  # the parsed object and its text as sent

_decoder = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


class ListStreamError(ValueError):
    """The body is not a JSON object of the expected shape."""


class _Reader:
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._decode = codecs.getincrementaldecoder("utf-8")("strict").decode
        self.text = ""
        self.pos = 0
        self.done = False

    def more(self) -> None:
        if self.done:
            raise ListStreamError("the answer ends too early")
        # Drop what was read (more() is called at the end of what was there, so the
        # unread rest is at most part of one guest): memory holds one chunk, and
        # appending never copies the body read so far.
        self.text, self.pos = self.text[self.pos :], 0
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self.done = True
            self.text += self._decode(b"", final=True)
            return
        self.text += self._decode(chunk)

    def skip_space(self) -> str:
        """The next non-space character (read, not consumed)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            self.more()

    def expect(self, char: str) -> None:
        if self.skip_space() != char:
            raise ListStreamError(f"expected {char!r} at {self.text[self.pos : self.pos + 40]!r}")
        self.pos += 1

    def value(self) -> tuple[Any, str]:
        self.skip_space()
        while True:
            try:
                value, end = _decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                # A value cut by the chunk boundary fails at the end of the text:
                # read on. Anywhere else, or at the real end, the JSON is broken.
                if self.done:
                    raise ListStreamError(str(exc)) from None
                self.more()
                continue
            if end == len(self.text) and not self.done and not isinstance(value, dict | list):
                # A number or literal may go on in the next chunk ("12" of "123").
                self.more()
                continue
            raw = self.text[self.pos : end]
            self.pos = end
            return value, raw


def read_guest_list(
    chunks: Iterator[bytes], sink: Callable[[list[WireGuest]], None], batch: int = 2000
) -> dict[str, Any]:
    """Hand every object of the top-level ``guests`` array to ``sink`` in batches;
    return the other top-level keys (the envelope: status, dateTime, count, errors)."""
    reader = _Reader(chunks)
    envelope: dict[str, Any] = {}
    pending: list[WireGuest] = []
    try:
        reader.expect("{")
        if reader.skip_space() == "}":
            return envelope
        while True:
            key, _ = reader.value()
            reader.expect(":")
            if key == "guests" and reader.skip_space() == "[":
                reader.pos += 1
                if reader.skip_space() == "]":
                    reader.pos += 1
                else:
                    while True:
                        obj, raw = reader.value()
                        pending.append((obj, raw))
                        if len(pending) >= batch:
                            sink(pending)
                            pending = []
                        separator = reader.skip_space()
                        reader.pos += 1
                        if separator == "]":
                            break
                        if separator != ",":
                            raise ListStreamError("guests are not separated by commas")
            else:
                envelope[str(key)] = reader.value()[0]
            separator = reader.skip_space()
            reader.pos += 1
            if separator == "}":
                break
            if separator != ",":
                raise ListStreamError("keys are not separated by commas")
    except UnicodeDecodeError as exc:
        raise ListStreamError(f"the answer is not UTF-8: {exc}") from None
    if pending:
        sink(pending)
    return envelope
