"""A notice: what an event says to whom, before anyone's preferences are read.

Recipients are people named by the event (a reporter, an owner, a volunteer) or the holders of
roles at a unit of the hierarchy (found in identity). Officials who supervise read some notices
in their daily digest instead of one message each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

# Who works a case at each level of the chain.
LEVEL_ROLES: Mapping[str, tuple[str, ...]] = {
    "grid": ("grid_leader", "info_officer"),
    "community": ("community_staff",),
    "street": ("street_officer",),
    "district": ("district_officer",),
    "city": ("city_officer",),
}
# Officials who watch a unit's deadlines from above: they read the daily digest.
SUPERVISOR_ROLES = ("street_officer", "district_officer")
DEPARTMENT_ROLES = ("department_agent",)


@dataclass(frozen=True, slots=True)
class RoleHolders:
    """The holders of `roles` at unit_id (with include_ancestors: also those bound above it)."""

    unit_id: UUID
    roles: tuple[str, ...]
    include_ancestors: bool = False


@dataclass(frozen=True, slots=True)
class Department:
    """A department, reached at the contact address grid announced (email or phone)."""

    department_id: UUID


Recipient = UUID | RoleHolders | Department


def level_roles(level: str) -> tuple[str, ...]:
    return LEVEL_ROLES.get(level, LEVEL_ROLES["grid"])


@dataclass(frozen=True, slots=True)
class Notice:
    event_id: UUID
    tenant_id: UUID
    event_type: str  # short: "ticket.assigned"
    variables: Mapping[str, str]
    to: tuple[Recipient, ...]
    # Officials who get one line in tomorrow's digest rather than a message now.
    digest_to: tuple[Recipient, ...] = ()
    digest_kind: str = ""  # breached | due
    digest_line: str = ""
    # People the event came from (the actor): they know already.
    exclude: frozenset[UUID] = frozenset()
    link: str = ""
