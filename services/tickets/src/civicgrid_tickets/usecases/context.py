"""What every tickets use case is given: the ports built by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import Forbidden

# Roles of people who work tickets (identity's names); their bindings say at which unit.
STAFF_ROLES = (
    "grid_leader",
    "info_officer",
    "community_staff",
    "street_officer",
    "district_officer",
    "city_officer",
    "department_agent",
)
ADMIN_ROLES = ("tenant_admin", "platform_admin")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class IntakePolicy:
    boundary_warning_m: float = 30.0
    duplicate_radius_m: float = 100.0
    duplicate_window_hours: int = 72


@dataclass(frozen=True, slots=True)
class TicketsContext:
    uow: UnitOfWorkFactory
    intake: IntakePolicy = field(default_factory=IntakePolicy)
    clock: Callable[[], datetime] = utc_now


def require_admin(principal: Principal) -> None:
    if not principal.has_role(*ADMIN_ROLES):
        raise Forbidden("only a tenant admin changes the category catalogue")
