"""Typed FastAPI dependencies for volunteers' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from civicgrid_volunteers.usecases.context import VolunteersContext


async def _ctx(request: Request) -> VolunteersContext:
    ctx: VolunteersContext = request.app.state.volunteers_ctx
    return ctx


Ctx = Annotated[VolunteersContext, Depends(_ctx)]
