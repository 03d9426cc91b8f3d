"""Who is calling: the verified identity every request and RPC carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple
from uuid import UUID

PrincipalKind = Literal["person", "client"]

# Operators of the shared installation; the only role that may act across tenants.
PLATFORM_ADMIN_ROLE = "platform_admin"


class RoleBinding(NamedTuple):
    """A role held at one unit of the hierarchy; unit_id None means tenant-wide."""

    role: str
    unit_id: str | None


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    tenant_id: str
    roles: frozenset[str]
    bindings: tuple[RoleBinding, ...]
    scopes: frozenset[str]
    kind: PrincipalKind
    token_id: str
    expires_at: datetime
    # The bearer token itself, for calls made on the principal's behalf (the grid registry
    # resolving a resident's report); never printed.
    token: str | None = field(default=None, repr=False, compare=False)

    def has_role(self, *roles: str) -> bool:
        """True if the principal holds any of `roles`, anywhere in the tenant."""
        return any(role in self.roles for role in roles)

    def units_for(self, role: str) -> frozenset[str | None]:
        """Unit ids where `role` is held; None in the set means tenant-wide.

        A role listed in `roles` without any binding is tenant-wide (see auth.claims)."""
        units = frozenset(b.unit_id for b in self.bindings if b.role == role)
        if not units and role in self.roles:
            return frozenset({None})
        return units

    def holds_tenant_wide(self, role: str) -> bool:
        return None in self.units_for(role)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def tenant_uuid(self) -> UUID:
        """The tenant as a UUID (claims carry the canonical string; checked when verified)."""
        return UUID(self.tenant_id)

    @property
    def person_uuid(self) -> UUID | None:
        """The person a token speaks for; None for an integrator or service client."""
        if self.kind != "person":
            return None
        try:
            return UUID(self.subject)
        except ValueError:
            return None

    @property
    def is_platform_admin(self) -> bool:
        return PLATFORM_ADMIN_ROLE in self.roles
