"""What every identity use case is given: the ports built by bootstrap, and token settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from civicgrid_identity.domain.passwords import PasswordPolicy
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.sealing import Sealer


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str
    audience: str
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)
    key_rotation_interval: timedelta = timedelta(days=30)
    # A new key is published this long before it signs, so every verifier's JWKS cache (refetched
    # at most every 5 min, and on an unknown kid only after a 30 s cooldown) already holds it.
    key_publish_lead: timedelta = timedelta(minutes=6)
    # Old keys stay in the JWKS this long after their last token could have expired.
    jwks_grace: timedelta = timedelta(minutes=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class IdentityContext:
    uow: UnitOfWorkFactory
    passwords: PasswordPolicy
    tokens: TokenPolicy
    device_sealer: Sealer
    key_sealer: Sealer
    clock: Callable[[], datetime] = utc_now
