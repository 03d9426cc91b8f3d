"""Helpers shared by notifications' tests: tokens the app trusts, a district, a clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.api.app import create_notifications_app
from civicgrid_notifications.settings import NotificationsSettings
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.tokens import TestIssuer

TOKENS = TestIssuer()
# The tests' CIVICGRID_SECRET_KEY: it seals webhook secrets.
SERVICE_KEY = "notifications-tests-secret-key-0123456789"
# A Monday morning in the district's zone (Asia/Shanghai, UTC+8): 09:00 local.
MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@dataclass
class District:
    """A fresh tenant per test, with its staff's and admin's headers."""

    tenant: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def tenant_id(self) -> uuid.UUID:
        return uuid.UUID(self.tenant)

    def staff(self, person_id: uuid.UUID | None = None) -> dict[str, str]:
        return TOKENS.bearer(self.tenant, "community_staff", subject=str(person_id or uuid.uuid4()))

    def admin(self) -> dict[str, str]:
        return TOKENS.bearer(self.tenant, "tenant_admin")

    def person(self, person_id: uuid.UUID | None = None, *roles: str) -> dict[str, str]:
        """A resident acting as themselves."""
        return TOKENS.bearer(
            self.tenant, *(roles or ("resident",)), subject=str(person_id or uuid.uuid4())
        )


class SettableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def notifications_app(
    ctx: NotificationsContext, db: ServiceDatabase, engine: AsyncEngine
) -> FastAPI:
    settings = NotificationsSettings(
        database_url=db.runtime_dsn, token_issuer=TOKENS.issuer, token_audience=TOKENS.audience
    )
    return create_notifications_app(ctx, TOKENS.verifier(), settings, engine)
