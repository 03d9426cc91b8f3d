"""Roles, and who may grant what where. A binding at a unit covers the unit's descendants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

RESIDENT = "resident"
GRID_LEADER = "grid_leader"
INFO_OFFICER = "info_officer"
COMMUNITY_STAFF = "community_staff"
STREET_OFFICER = "street_officer"
DISTRICT_OFFICER = "district_officer"
CITY_OFFICER = "city_officer"
DEPARTMENT_AGENT = "department_agent"
VOLUNTEER = "volunteer"
TENANT_ADMIN = "tenant_admin"
PLATFORM_ADMIN = "platform_admin"

ROLES = frozenset(
    {
        RESIDENT,
        GRID_LEADER,
        INFO_OFFICER,
        COMMUNITY_STAFF,
        STREET_OFFICER,
        DISTRICT_OFFICER,
        CITY_OFFICER,
        DEPARTMENT_AGENT,
        VOLUNTEER,
        TENANT_ADMIN,
        PLATFORM_ADMIN,
    }
)

# People who work cases and must be able to call residents back.
STAFF_ROLES = frozenset(
    {GRID_LEADER, INFO_OFFICER, COMMUNITY_STAFF, STREET_OFFICER, DISTRICT_OFFICER, CITY_OFFICER}
)
ADMIN_ROLES = frozenset({TENANT_ADMIN, PLATFORM_ADMIN})


@dataclass(frozen=True, slots=True)
class Binding:
    role: str
    unit_id: UUID | None  # None: tenant-wide


def covers(
    binding_unit: UUID | None, target_unit: UUID | None, target_ancestors: Sequence[UUID]
) -> bool:
    """Does a binding at binding_unit reach target_unit (itself or a descendant)?

    A tenant-wide binding reaches everything; a tenant-wide target is reached only by a
    tenant-wide binding. Unknown ancestry (empty list) means only an exact match counts:
    refusing is the safe answer when we cannot prove the unit is below.
    """
    if binding_unit is None:
        return True
    if target_unit is None:
        return False
    return binding_unit == target_unit or binding_unit in target_ancestors


def can_grant(
    grantor: Iterable[Binding], role: str, unit_id: UUID | None, unit_ancestors: Sequence[UUID]
) -> bool:
    """An admin grants only at or below their own units; only a platform admin makes another."""
    bindings = list(grantor)
    if any(b.role == PLATFORM_ADMIN for b in bindings):
        return True
    if role == PLATFORM_ADMIN:
        return False
    return any(
        b.role == TENANT_ADMIN and covers(b.unit_id, unit_id, unit_ancestors) for b in bindings
    )


def may_see_phone(viewer_roles: Iterable[str], viewer_is_subject: bool) -> bool:
    """Phones are shown in full only to the person, admins and case-working staff."""
    return viewer_is_subject or bool(set(viewer_roles) & (STAFF_ROLES | ADMIN_ROLES))


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) <= 4:
        return "*" * len(phone)
    keep_head = 3 if len(phone) >= 8 else 1
    return phone[:keep_head] + "*" * (len(phone) - keep_head - 4) + phone[-4:]
