"""Typed FastAPI dependencies for tickets' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from civicgrid_tickets.usecases.context import TicketsContext


async def _ctx(request: Request) -> TicketsContext:
    ctx: TicketsContext = request.app.state.tickets_ctx
    return ctx


Ctx = Annotated[TicketsContext, Depends(_ctx)]
