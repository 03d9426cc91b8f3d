"""Open311 GeoReport v2 errors: what a parser raises and which HTTP status each kind gets.

GeoReport v2 answers every failure with its own error list ([{"code", "description"}]), not
with our RFC 9457 problem documents, so Open311 routes catch `Open311Error` and render it with
`open311_format.render_error` instead of letting the platform error handlers see it.
"""

from __future__ import annotations

from enum import StrEnum


class Open311Error(Exception):
    """A request an Open311 client got wrong; `description` starts with the parameter's name."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description

    def __repr__(self) -> str:
        return f"Open311Error({self.status!r}, {self.description!r})"


class Open311ErrorKind(StrEnum):
    MISSING_PARAMETER = "missing_parameter"
    INVALID_PARAMETER = "invalid_parameter"
    INVALID_API_KEY = "invalid_api_key"
    UNKNOWN_JURISDICTION = "unknown_jurisdiction"
    UNKNOWN_SERVICE_CODE = "unknown_service_code"
    UNKNOWN_SERVICE_REQUEST = "unknown_service_request"
    UNKNOWN_TOKEN = "unknown_token"
    # A path suffix other than .json/.xml names a resource this server does not have.
    UNSUPPORTED_FORMAT = "unsupported_format"


_STATUS_BY_KIND: dict[Open311ErrorKind, int] = {
    Open311ErrorKind.MISSING_PARAMETER: 400,
    Open311ErrorKind.INVALID_PARAMETER: 400,
    # GeoReport v2: "403 - API key was not provided or invalid".
    Open311ErrorKind.INVALID_API_KEY: 403,
    Open311ErrorKind.UNKNOWN_JURISDICTION: 404,
    Open311ErrorKind.UNKNOWN_SERVICE_CODE: 404,
    Open311ErrorKind.UNKNOWN_SERVICE_REQUEST: 404,
    Open311ErrorKind.UNKNOWN_TOKEN: 404,
    Open311ErrorKind.UNSUPPORTED_FORMAT: 404,
}


def status_for(kind: Open311ErrorKind) -> int:
    """The HTTP status GeoReport v2 clients expect for this kind of failure."""
    return _STATUS_BY_KIND[kind]


def open311_error(kind: Open311ErrorKind, description: str) -> Open311Error:
    """An `Open311Error` carrying the status for `kind`; raise it or render it."""
    return Open311Error(status_for(kind), description)
