"""Reading a guest list answer as it streams in, one guest object at a time.

A full list can be 100,000 guests and tens of megabytes. This walks the top-level
object with the standard library's C scanner (``JSONDecoder.raw_decode``), hands
each guest over with its exact source text, and keeps only the unread rest of the
body in memory. ijson did the same job three times slower here, and still needed
a second pass for the keys around the array.

One guest the decoder cannot read (a 5,000-digit number, 100,000 levels of
nesting, a syntax error inside it, more than ``MAX_GUEST_CHARS`` of text) does
not stop the list: its extent is found by a bracket-counting scan and it is
handed over as an :class:`Unreadable` in its place, for the store to set aside.
A body that is broken outside the guests, or ends too early, is a
:class:`ListStreamError`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# The parsed value (normally a guest object, but whatever JSON arrived, or an
# Unreadable) and its text as sent ("" for an Unreadable).
WireGuest = tuple[Any, str]

# One guest object's text, at most. A guest with every documented field filled is
# about 1 KB; 1 MiB leaves room for long notes and many custom fields, and bounds
# the text held (and re-scanned) while one guest is being read.
MAX_GUEST_CHARS = 1 << 20

_decoder = json.JSONDecoder()
_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_STRUCTURE = re.compile(r'["\\{}\[\]:,]')
_SCALAR_END = re.compile(r"[,\]}\s]")
_ID_KEPT = 200  # an id longer than this is not captured from an unreadable guest


class ListStreamError(ValueError):
    """The body is not a JSON object of the expected shape."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A guest element the decoder could not read: its top-level ``id`` when one was
    found, a digest of its text (to recognise it again), and why, in words without
    any of its data."""

    guest_id: str | None
    digest: str
    reason: str


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
            # A regex, not a loop over characters: a flood of whitespace (a gzip
            # bomb's favourite filling) is skipped at C speed.
            found = _NOT_SPACE.search(self.text, self.pos)
            if found is not None:
                self.pos = found.start()
                return self.text[self.pos]
            self.pos = len(self.text)
            self.more()

    def expect(self, char: str) -> None:
        if self.skip_space() != char:
            raise ListStreamError(f"expected {char!r} at {self.text[self.pos : self.pos + 40]!r}")
        self.pos += 1

    def value(self) -> tuple[Any, str]:
        """A value of the envelope; anything it cannot decode breaks the list."""
        found = self._decoded()
        if isinstance(found, str):
            raise ListStreamError(found)
        return found

    def guest(self) -> WireGuest:
        """One element of the guests array, or an Unreadable in its place."""
        found = self._decoded()
        if isinstance(found, str):
            return _skip_value(self, found), ""
        return found

    def _decoded(self) -> tuple[Any, str] | str:
        """The next value and its text, or why it cannot be decoded (then ``pos`` is
        still at its start)."""
        self.skip_space()
        while True:
            try:
                value, end = _decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                # A value cut by the chunk boundary fails at the end of the text:
                # read on. At the real end the JSON is broken; past the bound, the
                # value is too large (or broken) to decode.
                if self.done:
                    return f"it is not valid JSON ({exc.msg})"
                tried = len(self.text) - self.pos
                if tried > MAX_GUEST_CHARS:
                    return "it is larger than the bound or not valid JSON"
                # Decode again only when the text has doubled: a server sending one
                # byte at a time must not make reading a guest quadratic.
                while not self.done and len(self.text) - self.pos < 2 * tried:
                    self.more()
                continue
            except RecursionError:
                return "it is nested too deeply"
            except ValueError:
                # Python refuses to convert integers of more than 4,300 digits.
                return "it holds a number too long to read"
            if (
                not self.done
                and not isinstance(value, dict | list)
                and _SCALAR_END.search(self.text, end) is None
            ):
                # A number or literal may go on in the next chunk ("12" of "123",
                # "0" of "0.5" which reads as 0 with ".5" left): read on until a
                # separator follows it.
                self.more()
                continue
            raw = self.text[self.pos : end]
            self.pos = end
            return value, raw


def _skip_value(reader: _Reader, reason: str) -> Unreadable:
    """Move past one JSON value without decoding it, counting brackets outside
    strings; keep its top-level ``id`` (a string) if it is an object that has one.

    Memory stays bounded: text already scanned is dropped as more arrives.
    """
    digest = hashlib.sha256()
    text = reader.text
    start = reader.pos
    if text[start] not in '{["':
        return _skip_scalar(reader, reason, digest)
    depth = 0
    in_string = False
    string_start = 0
    last_key: str | None = None
    wants_id = False
    guest_id: str | None = None
    i = start
    while True:
        found = _STRUCTURE.search(text, i)
        if found is None or (found.group() == "\\" and found.end() >= len(text)):
            # Read on. Text scanned is dropped, except an open string's while it
            # is short (an id is): a string dropped in part is not captured.
            resume = len(text) if found is None else found.start()
            keep = resume
            if in_string and resume - string_start < _ID_KEPT:
                keep = string_start
            digest.update(text[start:keep].encode("utf-8", "surrogatepass"))
            reader.pos = keep
            if reader.done:
                raise ListStreamError("the answer ends inside a guest")
            reader.more()
            text, start, i = reader.text, 0, resume - keep
            string_start -= keep
            continue
        char, at = found.group(), found.start()
        i = found.end()
        if in_string:
            if char == "\\":
                i = at + 2  # the escaped character is part of the string
            elif char == '"':
                in_string = False
                if depth == 0:  # the value was one (huge) string
                    digest.update(text[start:i].encode("utf-8", "surrogatepass"))
                    reader.pos = i
                    return Unreadable(None, digest.hexdigest()[:32], reason)
                content = text[string_start + 1 : at] if string_start >= 0 else None
                if depth == 1 and content is not None and len(content) <= _ID_KEPT:
                    if wants_id:
                        guest_id, wants_id = _unescaped(content), False
                    else:
                        last_key = content
            continue
        if char == '"':
            in_string, string_start = True, at
        elif char in "{[":
            depth += 1
            wants_id = False
        elif char in "}]":
            depth -= 1
            if depth == 0:
                digest.update(text[start:i].encode("utf-8", "surrogatepass"))
                reader.pos = i
                return Unreadable(guest_id, digest.hexdigest()[:32], reason)
        elif char == ":":
            wants_id = depth == 1 and last_key == "id" and guest_id is None
        elif char == ",":
            last_key, wants_id = None, False


def _unescaped(content: str) -> str | None:
    """A JSON string's content with its escapes resolved (None if they are broken)."""
    try:
        value = json.loads(f'"{content}"')
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _skip_scalar(reader: _Reader, reason: str, digest: Any) -> Unreadable:
    """A number or literal too long to read: skip to the next separator."""
    while True:
        found = _SCALAR_END.search(reader.text, reader.pos)
        if found is not None:
            digest.update(reader.text[reader.pos : found.start()].encode("utf-8", "surrogatepass"))
            reader.pos = found.start()
            return Unreadable(None, digest.hexdigest()[:32], reason)
        digest.update(reader.text[reader.pos :].encode("utf-8", "surrogatepass"))
        reader.pos = len(reader.text)
        reader.more()


def read_guest_list(
    chunks: Iterator[bytes],
    sink: Callable[[list[WireGuest]], None],
    batch: int = 2000,
    envelope: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Hand every element of the top-level ``guests`` array to ``sink`` in batches;
    return the other top-level keys (the envelope: status, dateTime, count, errors).

    ``envelope``, when given, is filled as the keys are read, so the sink can see
    the keys that came before the guests (the answer's ``dateTime``).
    """
    reader = _Reader(chunks)
    if envelope is None:
        envelope = {}
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
                        pending.append(reader.guest())
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
