"""Request and response bodies of tickets' HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(max_length=100)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 \-]{5,20}$")] | None = None
    email: (
        Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Code
    description: Text
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: Annotated[str, StringConstraints(max_length=500)] | None = None
    priority: Literal["P0", "P1", "P2", "P3"] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    channel: Literal["web", "hotline", "patrol"] = "web"
    anonymous: bool = Field(
        default=False, description="Keep the reporter's identity off the ticket; needs a contact"
    )
    contact: Contact | None = None
    on_behalf_of: UUID | None = Field(
        default=None, description="Hotline: the resident the operator reports for"
    )


class DuplicateRead(BaseModel):
    ticket_id: UUID
    number: str
    distance_m: float
    similarity: float


class TicketRead(BaseModel):
    id: UUID
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
    grid_id: UUID | None
    ancestor_ids: list[UUID]
    boundary_warning: dict[str, Any] | None
    level: str
    owner_unit_id: UUID | None
    owner_department_id: UUID | None
    merged_into: UUID | None
    rating: int | None
    sla_policy_version: int = Field(description="the district's SLA policy it started with")
    acknowledge_due_at: datetime | None
    resolve_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TicketCreated(TicketRead):
    possible_duplicates: list[DuplicateRead]


class HistoryRead(BaseModel):
    at: datetime
    actor_id: str | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    details: dict[str, Any]


class AttributeValueRead(BaseModel):
    key: str
    name: str


class AttributeRead(BaseModel):
    code: str
    datatype: str
    required: bool
    description: str
    values: list[AttributeValueRead]


class CategoryWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str = ""
    default_priority: Literal["P0", "P1", "P2", "P3"] = "P2"
    handled_by: Literal["grid", "department"] = "grid"
    attributes: list[dict[str, Any]] = Field(default_factory=list)


class CategoryRead(BaseModel):
    code: str
    name: str
    description: str
    default_priority: str
    handled_by: str
    attributes: list[AttributeRead]


class StepWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Annotated[str, StringConstraints(max_length=32)]
    note: Annotated[str, StringConstraints(max_length=4000)] | None = None
    reason_code: Annotated[str, StringConstraints(max_length=64)] | None = None
    meeting_id: UUID | None = None
    merge_target: UUID | None = None
    rating: int | None = None
    to_unit_id: UUID | None = None
    to_department_id: UUID | None = None


class MeetingWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: Literal["community", "street", "district", "city"]
    unit_id: UUID | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    held_at: datetime
    department_ids: list[UUID] = Field(default_factory=list, max_length=100)
    unit_ids: list[UUID] = Field(default_factory=list, max_length=100)


class AgendaWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: UUID


class MinutesWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minutes: Annotated[str, StringConstraints(max_length=100_000)]


class CommitmentWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: UUID
    department_id: UUID
    responsible: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    action: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    due_at: datetime


class AgendaItemRead(BaseModel):
    ticket_id: UUID
    reason: str
    added_by: str


class CommitmentRead(BaseModel):
    id: UUID
    meeting_id: UUID
    ticket_id: UUID
    department_id: UUID
    responsible: str
    action: str
    due_at: datetime
    done_at: datetime | None
    overdue_at: datetime | None


class MeetingRead(BaseModel):
    id: UUID
    level: str
    unit_id: UUID | None
    title: str
    held_at: datetime
    department_ids: list[UUID]
    unit_ids: list[UUID]
    minutes: str
    agenda: list[AgendaItemRead]
    commitments: list[CommitmentRead]


class PhotoRead(BaseModel):
    n: int
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str


class RuleVersionRead(BaseModel):
    kind: str
    version: int
    published_at: datetime | None = Field(description="None for the built-in version 1")
    published_by: str | None
    body: dict[str, Any]


class RuleVersionEntryRead(BaseModel):
    version: int
    published_at: datetime | None
    published_by: str | None


class RulesRead(BaseModel):
    kind: str
    current: RuleVersionRead
    versions: list[RuleVersionEntryRead] = Field(description="oldest first, the built-in 1 too")
