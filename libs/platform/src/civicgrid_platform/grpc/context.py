"""The principal of the RPC being served, set by the auth interceptor."""

from __future__ import annotations

import contextvars

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import NotAuthenticated

_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "civicgrid_rpc_principal", default=None
)


def set_rpc_principal(principal: Principal | None) -> contextvars.Token[Principal | None]:
    return _principal.set(principal)


def reset_rpc_principal(token: contextvars.Token[Principal | None]) -> None:
    _principal.reset(token)


def rpc_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise NotAuthenticated("this RPC needs a bearer token in the authorization metadata")
    return principal
