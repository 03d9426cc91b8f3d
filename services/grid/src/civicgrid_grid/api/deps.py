"""Typed FastAPI dependencies for grid's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from civicgrid_grid.usecases.context import GridContext


async def _ctx(request: Request) -> GridContext:
    ctx: GridContext = request.app.state.grid_ctx
    return ctx


Ctx = Annotated[GridContext, Depends(_ctx)]
