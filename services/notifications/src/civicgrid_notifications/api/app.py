"""Notifications' FastAPI app on the platform factory."""

from __future__ import annotations

from types import ModuleType

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.api import (
    routes_alerts,
    routes_deliveries,
    routes_devices,
    routes_inbox,
    routes_preferences,
    routes_providers,
    routes_templates,
    routes_webhooks,
)
from civicgrid_notifications.settings import NotificationsSettings
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import INBOX_CHANNEL
from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.db.doorbells import Doorbells
from civicgrid_platform.db.notify_listener import dsn_of
from civicgrid_platform.http.service_app import create_service_app

ROUTES: tuple[ModuleType, ...] = (
    routes_alerts,
    routes_devices,
    routes_inbox,
    routes_preferences,
    routes_deliveries,
    routes_templates,
    routes_providers,
    routes_webhooks,
)


def create_notifications_app(
    ctx: NotificationsContext,
    verifier: TokenVerifier,
    settings: NotificationsSettings,
    engine: AsyncEngine,
) -> FastAPI:
    app = create_service_app(
        settings=settings,
        title="CivicGrid notifications",
        description="Messages from events on the right channel, the emergency-alert chain, "
        "and signed webhooks for integrators.",
        verifier=verifier,
        engine=engine,
        routers=[m.router for m in ROUTES],
    )
    app.state.notifications_ctx = ctx
    # Live inbox streams wake on commits of any replica (see usecases.fanout.INBOX_CHANNEL).
    app.state.inbox_doorbells = Doorbells(dsn_of(engine.url), INBOX_CHANNEL)
    app.state.provider_token = settings.provider_token.get_secret_value()
    return app
