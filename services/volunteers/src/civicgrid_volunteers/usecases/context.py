"""What every volunteers use case is given: the ports built by bootstrap, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import Forbidden

# Identity's roles of people who organise volunteers, tasks, stations and ratings.
STAFF_ROLES = (
    "grid_leader",
    "info_officer",
    "community_staff",
    "street_officer",
    "district_officer",
    "city_officer",
)
ADMIN_ROLES = ("tenant_admin", "platform_admin")
# Other services' clients (the alert chain, tickets) that create tasks and look for volunteers.
TASKS_SCOPE = "volunteers:tasks"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class VolunteersContext:
    uow: UnitOfWorkFactory
    clock: Callable[[], datetime] = utc_now
    # The zone weekly availability is read in until a volunteer sets their own.
    default_timezone: str = "Asia/Shanghai"


def person_of(principal: Principal) -> UUID | None:
    """The person a token speaks for; None for an integrator client."""
    return principal.person_uuid


def is_staff(principal: Principal) -> bool:
    return principal.has_role(*STAFF_ROLES, *ADMIN_ROLES)


def works_with_tasks(principal: Principal) -> bool:
    """Staff, or another service's client allowed to make tasks and look for volunteers."""
    return is_staff(principal) or principal.has_scope(TASKS_SCOPE)


def require_task_access(principal: Principal, doing: str) -> None:
    if not works_with_tasks(principal):
        raise Forbidden(f"{doing} needs staff or the {TASKS_SCOPE} scope")


def require_staff(principal: Principal, doing: str) -> None:
    if not is_staff(principal):
        raise Forbidden(f"only community staff {doing}")


def require_admin(principal: Principal, doing: str) -> None:
    if not principal.has_role(*ADMIN_ROLES):
        raise Forbidden(f"only a tenant admin {doing}")
