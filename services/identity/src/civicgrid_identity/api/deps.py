"""Typed FastAPI dependencies for identity's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing


async def _ctx(request: Request) -> IdentityContext:
    ctx: IdentityContext = request.app.state.identity_ctx
    return ctx


async def _keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


async def _source(request: Request) -> str:
    """The client address for login throttling; X-Forwarded-For only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if peer in request.app.state.trusted_proxy_hosts:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:64]
    return peer


Ctx = Annotated[IdentityContext, Depends(_ctx)]
Keys = Annotated[KeyRing, Depends(_keyring)]
Source = Annotated[str, Depends(_source)]
