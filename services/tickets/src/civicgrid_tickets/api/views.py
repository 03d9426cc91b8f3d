"""Records as response bodies."""

from __future__ import annotations

from civicgrid_tickets.api import schemas
from civicgrid_tickets.domain.categories import Category, category_to_dict
from civicgrid_tickets.domain.duplicates import Suggestion
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord


def ticket(t: TicketRecord) -> schemas.TicketRead:
    warning = None
    if t.boundary_neighbour_grid_id is not None:
        warning = {
            "neighbour_grid_id": str(t.boundary_neighbour_grid_id),
            "distance_m": t.boundary_distance_m,
        }
    return schemas.TicketRead(
        id=t.id,
        number=t.number,
        category=t.category,
        priority=t.priority,
        status=t.status,
        channel=t.channel,
        description=t.description,
        lat=t.lat,
        lon=t.lon,
        address=t.address,
        attributes=t.attributes,
        grid_id=t.grid_id,
        ancestor_ids=t.ancestor_ids,
        boundary_warning=warning,
        level=t.level,
        owner_unit_id=t.owner_unit_id,
        owner_department_id=t.owner_department_id,
        merged_into=t.merged_into,
        rating=t.rating,
        sla_policy_version=t.sla_policy_version,
        acknowledge_due_at=t.acknowledge_due_at,
        resolve_due_at=t.resolve_due_at,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


def created(t: TicketRecord, duplicates: list[Suggestion]) -> schemas.TicketCreated:
    return schemas.TicketCreated(
        **ticket(t).model_dump(),
        possible_duplicates=[
            schemas.DuplicateRead(
                ticket_id=d.ticket_id,  # type: ignore[arg-type]
                number=d.number,
                distance_m=d.distance_m,
                similarity=d.similarity,
            )
            for d in duplicates
        ],
    )


def history(entry: HistoryEntry) -> schemas.HistoryRead:
    return schemas.HistoryRead(
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        from_status=entry.from_status,
        to_status=entry.to_status,
        note=entry.note,
        details=entry.details,
    )


def category(c: Category) -> schemas.CategoryRead:
    return schemas.CategoryRead.model_validate(category_to_dict(c))
