"""How the person acting stands to a ticket: what the lifecycle rules decide on."""

from __future__ import annotations

from civicgrid_platform.auth import Principal
from civicgrid_tickets.domain.levels import DEPARTMENT_ROLE, LEVELS, OWNER_ROLES
from civicgrid_tickets.domain.lifecycle import Relation
from civicgrid_tickets.domain.records import TicketRecord
from civicgrid_tickets.usecases.context import ADMIN_ROLES


def _holds_at(actor: Principal, roles: tuple[str, ...], unit: str | None) -> bool:
    return any(unit in actor.units_for(role) for role in roles)


def relations_of(actor: Principal, ticket: TicketRecord, chain: dict[str, str]) -> set[Relation]:
    """chain: level -> unit id of the ticket's grid and everything above it."""
    found: set[Relation] = set()
    if ticket.reporter_person_id is not None and str(ticket.reporter_person_id) == actor.subject:
        found.add(Relation.REPORTER)
    if ticket.owner_department_id is not None:
        # Department membership lives with the department (not modelled yet): any agent of the
        # tenant works a department's tickets.
        if actor.has_role(DEPARTMENT_ROLE):
            found.add(Relation.OWNER)
    elif _holds_at(actor, OWNER_ROLES[ticket.level], chain.get(ticket.level)):
        found.add(Relation.OWNER)
    # Supervisors: the owners of every level above the ticket's current one.
    for level in LEVELS[LEVELS.index(ticket.level) + 1 :]:
        if _holds_at(actor, OWNER_ROLES[level], chain.get(level)):
            found.add(Relation.SUPERVISOR)
    if actor.has_role(*ADMIN_ROLES):
        found.add(Relation.TENANT_ADMIN)
    return found or {Relation.OTHER}
