"""Domain error bases and the one table mapping each to an HTTP problem and a gRPC status.

Services raise these (or subclasses); the HTTP app factory and the gRPC error interceptor both
read ERROR_TABLE, so a domain error means the same thing on both edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import grpc


class DomainError(Exception):
    """Base of every error a user can cause; never a bug."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Forbidden(DomainError):
    pass


class NotAuthenticated(DomainError):
    pass


class TooManyAttempts(DomainError):
    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class ErrorMapping:
    status: int
    slug: str
    title: str
    grpc_code: grpc.StatusCode


# Keyed by Exception (not DomainError) so it fits the HTTP factory's Mapping, which is invariant.
ERROR_TABLE: dict[type[Exception], ErrorMapping] = {
    NotFound: ErrorMapping(404, "not-found", "Not found", grpc.StatusCode.NOT_FOUND),
    AlreadyExists: ErrorMapping(
        409, "already-exists", "Already exists", grpc.StatusCode.ALREADY_EXISTS
    ),
    Conflict: ErrorMapping(409, "conflict", "Conflict", grpc.StatusCode.FAILED_PRECONDITION),
    InvalidInput: ErrorMapping(
        422, "invalid-input", "Invalid input", grpc.StatusCode.INVALID_ARGUMENT
    ),
    Forbidden: ErrorMapping(403, "forbidden", "Forbidden", grpc.StatusCode.PERMISSION_DENIED),
    NotAuthenticated: ErrorMapping(
        401, "not-authenticated", "Not authenticated", grpc.StatusCode.UNAUTHENTICATED
    ),
    TooManyAttempts: ErrorMapping(
        429, "too-many-attempts", "Too many attempts", grpc.StatusCode.RESOURCE_EXHAUSTED
    ),
}


def mapping_for(error: BaseException) -> ErrorMapping | None:
    """The entry of the nearest class in the MRO: subclasses inherit their base's mapping."""
    for cls in type(error).__mro__:
        found = ERROR_TABLE.get(cls)
        if found is not None:
            return found
    return None


def parse_uuid(value: str, field: str) -> UUID:
    """An id from a request, or InvalidInput naming the field (a 4xx, never a 500)."""
    try:
        return UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInput("not a valid UUID", field=field) from None


def is_unstorable_value(error: BaseException) -> bool:
    """True for a database "data exception" (SQLSTATE class 22): a NUL character, text longer
    than its column, a number out of range. Such errors come from the request's values, so the
    edges answer 4xx; drivers wrap them differently, hence the walk along the cause chain."""
    seen: BaseException | None = error
    while seen is not None:
        state = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(state, str) and state.startswith("22"):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False
