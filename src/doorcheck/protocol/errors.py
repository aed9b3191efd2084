"""Every way talking to a station can fail, in one place.

Each exception carries ``message``: one sentence a steward at a door understands and
can act on. ``detail`` keeps the technical cause for logs. ``retryable`` tells the
sync worker whether the same request may succeed later unchanged.

::

    StationError
    ├── ProtocolError            the server answered with the error envelope
    │   ├── InvalidJsonError          code 10
    │   ├── MissingParametersError    code 20
    │   ├── InvalidSessionError       code 30 (token unknown or expired)
    │   ├── RequestTooLargeError      code 40 (doorcheck extension)
    │   ├── UnknownEndpointError      code 50 (doorcheck extension)
    │   ├── UnknownEventError         code 1000
    │   ├── WrongAppCodeError         code 1010
    │   ├── TooManyDevicesError       code 1020 (doorcheck extension)
    │   ├── TooManyLoginAttemptsError code 1030 (doorcheck extension)
    │   ├── TooManyChangesError       code 1040 (doorcheck extension; retryable)
    │   └── (ProtocolError itself for any other code)
    └── TransportError           no usable answer came back
        ├── ServerUnreachableError    refused, no route, name not found
        ├── ServerTimeoutError        connect or read timeout
        ├── TlsError                  certificate or TLS version rejected
        ├── ServerFailureError        HTTP 5xx
        └── BadResponseError          a body that is not the documented JSON
            └── AnswerTooLargeError   larger than its bound once decompressed
"""

from __future__ import annotations

from doorcheck.words import Phrase, mark


class StationError(Exception):
    retryable = False

    def __init__(self, message: str | Phrase, detail: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.words = message  # what the window says (a phrase is translated whole)
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ProtocolError(StationError):
    code: int | None = None
    default_message = mark("The station server refused the request.")

    def __init__(self, server_message: str | None = None, *, code: int | None = None) -> None:
        self.server_message = server_message
        if code is not None:
            self.code = code
        text = self.default_message
        if type(self) is ProtocolError and server_message:
            text = f"The station server refused the request: {server_message}"
        super().__init__(text, detail=f"code {self.code}: {server_message}")


class InvalidJsonError(ProtocolError):
    code = 10
    default_message = mark("The station server could not read our request (invalid JSON).")


class MissingParametersError(ProtocolError):
    code = 20
    default_message = mark("The station server says our request is missing information.")


class InvalidSessionError(ProtocolError):
    code = 30
    default_message = mark("The station session has expired; log in again.")


class RequestTooLargeError(ProtocolError):
    code = 40
    default_message = mark("The request was too large for the station server.")


class UnknownEndpointError(ProtocolError):
    code = 50
    default_message = mark(
        "The station server does not offer this function (check the server URL)."
    )


class UnknownEventError(ProtocolError):
    code = 1000
    default_message = mark("The event ID is not known to this server. Check the event ID.")


class WrongAppCodeError(ProtocolError):
    code = 1010
    default_message = mark(
        "The App Code or station name is wrong. Check the station's login details."
    )


class TooManyDevicesError(ProtocolError):
    code = 1020
    default_message = mark(
        "This station already has the most devices allowed at once. "
        "Log out on another device or ask the organizer to raise the limit."
    )


class TooManyLoginAttemptsError(ProtocolError):
    code = 1030
    default_message = mark("Too many failed logins. Wait a minute, then try again.")


class TooManyChangesError(ProtocolError):
    """The station's changes per minute are used up: they wait and go in a minute."""

    code = 1040
    retryable = True
    default_message = mark(
        "The station server takes no more changes from this door for a minute; "
        "they wait here and are sent then."
    )


PROTOCOL_ERRORS: dict[int, type[ProtocolError]] = {
    cls.code: cls
    for cls in (
        InvalidJsonError,
        MissingParametersError,
        InvalidSessionError,
        RequestTooLargeError,
        UnknownEndpointError,
        UnknownEventError,
        WrongAppCodeError,
        TooManyDevicesError,
        TooManyLoginAttemptsError,
        TooManyChangesError,
    )
}


def protocol_error(code: int | None, server_message: str | None) -> ProtocolError:
    cls = PROTOCOL_ERRORS.get(code) if code is not None else None
    if cls is None:
        return ProtocolError(server_message, code=code)
    return cls(server_message)


class TransportError(StationError):
    retryable = True


class ServerUnreachableError(TransportError):
    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            mark(
                "Cannot reach the station server. "
                "Check the network; the door keeps working offline."
            ),
            detail,
        )


class ServerTimeoutError(TransportError):
    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            mark("The station server did not answer in time; the door keeps working offline."),
            detail,
        )


class TlsError(TransportError):
    retryable = False

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            mark(
                "The station server's secure connection could not be verified "
                "(certificate or TLS version). Check the server URL."
            ),
            detail,
        )


class ServerFailureError(TransportError):
    def __init__(self, status_code: int, detail: str | None = None) -> None:
        self.status_code = status_code
        super().__init__(
            f"The station server has a problem (HTTP {status_code}); we will retry.",
            detail,
        )


class BadResponseError(TransportError):
    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            mark(
                "The station server sent an answer we cannot read; we will retry. "
                "If this persists, check the server URL."
            ),
            detail,
        )


class AnswerTooLargeError(BadResponseError):
    """An answer past its bound once decompressed (a gzip bomb, or a runaway
    server); the words are BadResponseError's."""
