"""What every tickets use case is given: the ports built by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from civicgrid_platform.auth import Principal
from civicgrid_platform.batching import Batcher
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import Forbidden
from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR, WorkingCalendar
from civicgrid_tickets.domain.sla import SlaPolicy
from civicgrid_tickets.domain.sla_state import DEFAULT_POLICY
from civicgrid_tickets.usecases.catalogues import Catalogues
from civicgrid_tickets.usecases.ports import BlobStore, GridRegistry
from civicgrid_tickets.usecases.rules_book import RulesBook

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
class SlaRules:
    """The built-in deadlines: version 1 of the policy and the calendar, every district's until
    it publishes its own. Use cases ask `TicketsContext.rules` for a district's rules."""

    policy: SlaPolicy = DEFAULT_POLICY
    calendar: WorkingCalendar = DEFAULT_CALENDAR


@dataclass(frozen=True, slots=True)
class TicketsContext:
    uow: UnitOfWorkFactory
    intake: IntakePolicy = field(default_factory=IntakePolicy)
    sla: SlaRules = field(default_factory=SlaRules)
    # Each district's SLA policies, calendars and evaluation formulas, cached (see rules_book).
    rules: RulesBook = field(default_factory=RulesBook)
    clock: Callable[[], datetime] = utc_now
    # Where photos live; None in processes that never handle one (benchmarks, sweeps).
    blobs: BlobStore | None = None
    # Reports that arrive together are taken in one transaction (bootstrap builds it: see
    # intake.intake_batcher); None takes each report on its own.
    intake_batches: Batcher[Any, Any] | None = None
    # Asked where a report lies while the district's copy of the map is cold; None asks no one.
    registry: GridRegistry | None = None
    # Each district's categories, kept for a few seconds (see catalogues).
    catalogues: Catalogues = field(default_factory=Catalogues)


def require_admin(principal: Principal, doing: str = "changes the category catalogue") -> None:
    if not principal.has_role(*ADMIN_ROLES):
        raise Forbidden(f"only a tenant admin {doing}")
