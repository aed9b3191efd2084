"""The one family of errors the door's use cases raise, documented in one place.

Every ``DoorError`` carries a ``problem`` (a stable code, for programs and tests)
and the data that explains it; ``words`` makes the sentence from the one template
each problem has, here. The window translates that phrase (``ui.i18n.say``); the
command line prints it in English. Errors of the parts below (a station's refusal,
a source's failure, a full disk) reach the user through these, their own words in
``why``.

    DoorError
      problem: Problem          what went wrong, as a code
      data: {name: value}       what the sentence needs (``why``, ``folder``, ...)
      words: Phrase             the sentence, translatable
"""

from __future__ import annotations

from enum import StrEnum

from doorcheck.words import Phrase, mark


class Problem(StrEnum):
    NOT_LOGGED_IN = "not-logged-in"
    LOGIN_INCOMPLETE = "login-incomplete"
    LOGIN_REFUSED = "login-refused"
    MODE_UNKNOWN = "mode-unknown"
    NO_GUEST_LIST = "no-guest-list"
    INVALID_CODE = "invalid-code"
    SOURCE_FAILED = "source-failed"
    BAD_FILE = "bad-file"
    CANNOT_WRITE = "cannot-write"
    NOT_SET_UP = "not-set-up"
    WIPE_REFUSED = "wipe-refused"
    NO_MESH_SECRET = "no-mesh-secret"  # noqa: S105 - a problem code
    BAD_PAIRING = "bad-pairing"
    MESH_FAILED = "mesh-failed"
    BAD_ZONE = "bad-zone"
    CANNOT_CHECK_OUT = "cannot-check-out"
    UNKNOWN_CODE = "unknown-code"
    STORE_NO_KEY = "store-no-key"
    STORE_WRONG_KEY = "store-wrong-key"
    STORE_NO_SQLCIPHER = "store-no-sqlcipher"
    STORE_NOT_A_DATABASE = "store-not-a-database"
    CANNOT_ENCRYPT = "cannot-encrypt"


# Every problem's sentence, the one place they are worded. The values come from the
# error's data; ``why`` is the part below's own words (a server's, a file's).
WORDS: dict[Problem, str] = {
    Problem.NOT_LOGGED_IN: mark(
        "not logged in: run 'doorcheck login' first (data folder {folder})"
    ),
    Problem.LOGIN_INCOMPLETE: mark("{missing}"),
    Problem.LOGIN_REFUSED: mark("{why}"),
    Problem.MODE_UNKNOWN: mark(
        "this door does not know its station's mode yet and cannot ask the server "
        "({why}); run 'doorcheck login' while online"
    ),
    Problem.NO_GUEST_LIST: mark("no guest list yet: run 'doorcheck sync' first"),
    Problem.INVALID_CODE: mark("not a valid ticket code: {why}"),
    Problem.SOURCE_FAILED: mark("{why}"),
    Problem.BAD_FILE: mark("{why}"),
    Problem.CANNOT_WRITE: mark("cannot write {file}: {why}"),
    Problem.NOT_SET_UP: mark("{what} is not set up: {how}"),
    Problem.WIPE_REFUSED: mark("{why}"),
    Problem.NO_MESH_SECRET: mark(
        "this door has no mesh secret for its event: log in to the station again, "
        "or pair it with 'doorcheck pair CODE' (the code another door shows)"
    ),
    Problem.BAD_PAIRING: mark("not a pairing code of this event: {why}"),
    Problem.MESH_FAILED: mark("the door cannot join the other doors: {why}"),
    Problem.BAD_ZONE: mark("{why}"),
    Problem.CANNOT_CHECK_OUT: mark(
        "a check-in station does not check guests out (the server would refuse it): "
        "set this at an exit or a toggle station"
    ),
    Problem.UNKNOWN_CODE: mark("no guest with the code {code} on this door's list"),
    # An encrypted door (docs/security.md): its data stays shut, and untouched.
    Problem.STORE_NO_KEY: mark(
        "this door's data is encrypted and its key cannot be found: unlock the OS "
        "keyring (or log in as the user who set the door up) and try again; without "
        "the key the data cannot be read, and it was left as it is (data folder {folder})"
    ),
    Problem.STORE_WRONG_KEY: mark(
        "this door's key does not open its data file {file}: the key kept for it is "
        "not the one it was encrypted with; the file was left as it is"
    ),
    Problem.STORE_NO_SQLCIPHER: mark(
        "this door's data is encrypted, but SQLCipher (the Python package sqlcipher3) "
        "cannot be loaded on this laptop: {why}"
    ),
    Problem.STORE_NOT_A_DATABASE: mark(
        "the door's data file {file} is not a SQLite database: it may be an encrypted "
        "door's whose settings (encryption.json) are gone; the file was left as it is"
    ),
    Problem.CANNOT_ENCRYPT: mark(
        "this data folder already holds guest data kept unencrypted ({folder}): wipe "
        "it first ('doorcheck wipe'), or give the encrypted door a new folder (--data)"
    ),
}


class DoorError(Exception):
    """A use case could not do what was asked; nothing half-done was kept."""

    def __init__(self, problem: Problem, **data: object) -> None:
        self.problem = problem
        self.data = data
        super().__init__(str(self.words))

    @property
    def words(self) -> Phrase:
        return Phrase(WORDS[self.problem], self.data)


def said(why: object) -> str | Phrase:
    """A lower part's own words for ``why``: a phrase stays translatable."""
    if isinstance(why, Phrase):
        return why
    return str(why)
