"""Auth exceptions; the HTTP and gRPC edges map them to 401/403/503 and their gRPC peers."""

from __future__ import annotations


class Unauthenticated(Exception):
    """No usable credentials: 401 in HTTP, UNAUTHENTICATED in gRPC."""

    def __init__(self, reason: str = "authentication required") -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidToken(Unauthenticated):
    """A bearer token was presented but refused; `reason` is short and safe to show the caller."""


class PermissionDenied(Exception):
    """Authenticated, but not allowed: 403 in HTTP, PERMISSION_DENIED in gRPC."""

    def __init__(self, reason: str = "not allowed") -> None:
        super().__init__(reason)
        self.reason = reason


class KeySetUnavailable(Exception):
    """The signing keys were never obtained, so no token can be checked: our fault, not the
    caller's (503 in HTTP, UNAVAILABLE in gRPC)."""
