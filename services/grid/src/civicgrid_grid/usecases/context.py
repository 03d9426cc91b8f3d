"""What every grid use case is given: the ports built by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import Forbidden

# Roles that edit the map; everyone with a token in the tenant may read it.
EDITOR_ROLES = ("tenant_admin", "platform_admin")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class GridContext:
    uow: UnitOfWorkFactory
    clock: Callable[[], datetime] = utc_now


def require_editor(principal: Principal) -> None:
    if not principal.has_role(*EDITOR_ROLES):
        raise Forbidden("only a tenant admin edits the grid registry")
