"""Typed FastAPI dependencies for notifications' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from civicgrid_notifications.usecases.context import NotificationsContext


async def _ctx(request: Request) -> NotificationsContext:
    ctx: NotificationsContext = request.app.state.notifications_ctx
    return ctx


Ctx = Annotated[NotificationsContext, Depends(_ctx)]
