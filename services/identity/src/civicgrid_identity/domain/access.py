"""Who may read or change which identity resources (pure rules over a principal's roles)."""

from __future__ import annotations

from collections.abc import Iterable

from civicgrid_identity.domain.roles import ADMIN_ROLES, CITY_OFFICER, STAFF_ROLES


def can_read_people(roles: Iterable[str]) -> bool:
    return bool(set(roles) & (STAFF_ROLES | ADMIN_ROLES))


def can_manage_people(roles: Iterable[str]) -> bool:
    return bool(set(roles) & ADMIN_ROLES)


def can_manage_care(roles: Iterable[str], is_self: bool) -> bool:
    """Emergency contacts and alert devices: the person, case-working staff, admins."""
    return is_self or bool(set(roles) & (STAFF_ROLES | ADMIN_ROLES))


def may_read_other_tenant(roles: Iterable[str], own_city: str, other_city: str) -> bool:
    """A city-level official reads across the districts of their own city, never beyond."""
    return CITY_OFFICER in set(roles) and own_city == other_city
