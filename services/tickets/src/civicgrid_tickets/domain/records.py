"""A ticket as use cases pass it around and the edges render it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class TicketRecord:
    id: UUID
    tenant_id: UUID
    number: str
    category: str
    priority: str
    status: str
    channel: str
    description: str
    lat: float | None
    lon: float | None
    address: str | None
    attributes: dict[str, Any]
    reporter_person_id: UUID | None
    contact: dict[str, Any] | None
    grid_id: UUID | None
    ancestor_ids: list[UUID]
    boundary_neighbour_grid_id: UUID | None
    boundary_distance_m: float | None
    resolved_by: str | None
    level: str
    owner_unit_id: UUID | None
    owner_department_id: UUID | None
    previous_status: str | None
    merged_into: UUID | None
    rating: int | None
    rating_comment: str | None
    reopen_count: int
    acknowledged_in_time: bool | None
    resolved_in_time: bool | None
    highest_level: str
    sla_policy_version: int
    acknowledge_due_at: datetime | None
    resolve_due_at: datetime | None
    sla_clocks: dict[str, Any]
    idempotency_key: str | None
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor_id: str | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlaView:
    """A ticket as the SLA sweep sees it."""

    id: UUID
    tenant_id: UUID
    status: str
    level: str
    category: str
    priority: str
    grid_id: UUID | None
    ancestor_ids: list[UUID]
    highest_level: str
    sla_policy_version: int  # the policy it started with, and climbs by


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    n: int
    blob_key: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
