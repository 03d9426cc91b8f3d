"""Identity's own errors, each a kind of the platform's, so the one error table maps them."""

from __future__ import annotations

from civicgrid_platform.errors import NotAuthenticated, TooManyAttempts


class InvalidCredentials(NotAuthenticated):
    def __init__(self) -> None:
        # One message for unknown user and wrong password: no account enumeration.
        super().__init__("invalid username or password")


class AccountLocked(TooManyAttempts):
    pass


class RefreshTokenInvalid(NotAuthenticated):
    pass
