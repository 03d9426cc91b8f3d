"""Request and response bodies of the tool-lending station."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from civicgrid_volunteers.domain.lending import MAX_COUNT, MAX_LOAN_DAYS

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
LoanDays = Annotated[int, Field(ge=1, le=MAX_LOAN_DAYS)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
ItemCondition = Literal["good", "worn", "damaged"]
ReturnCondition = Literal["good", "worn", "damaged", "lost"]
LoanFilter = Literal["open", "overdue", "returned", "all"]
HoldStatus = Literal["waiting", "ready", "fulfilled", "cancelled", "lapsed"]


class StationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    community_id: UUID | None = None
    lat: Latitude
    lon: Longitude
    loan_days: LoanDays = Field(default=7, description="A loan's length unless one is asked for")


class StationUpdate(BaseModel):
    """Only what changes."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    community_id: UUID | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    loan_days: LoanDays | None = None


class StationRead(BaseModel):
    id: UUID
    name: str
    community_id: UUID | None
    lat: float
    lon: float
    loan_days: int
    created_at: datetime


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind = Field(description="What it is, e.g. ladder, drill, wheelchair")
    name: Name
    count: Count = Field(default=1, description="Units the station has")
    condition: ItemCondition = "good"


class ItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: Count | None = Field(
        default=None, description="The new total; never fewer than are on loan or kept"
    )
    condition: ItemCondition | None = Field(default=None, description="e.g. good after a repair")


class ItemRead(BaseModel):
    id: UUID
    station_id: UUID
    kind: str
    name: str
    condition: str
    count_total: int
    count_available: int = Field(description="On the shelf, free to borrow now")
    on_loan: int
    reserved: int = Field(description="Kept for residents whose hold is ready")
    waiting: int = Field(description="Holds waiting in line")
    created_at: datetime


class LoanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: UUID
    borrower_person_id: UUID
    quantity: int = Field(default=1, ge=1, le=MAX_COUNT)
    due_at: AwareDatetime | None = Field(
        default=None, description="Default: now plus the station's loan days"
    )


class ReturnWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    condition: ReturnCondition


class LoanRead(BaseModel):
    id: UUID
    station_id: UUID
    item_id: UUID
    item_kind: str
    item_name: str
    borrower_person_id: UUID
    quantity: int
    state: Literal["open", "overdue", "returned"]
    lent_at: datetime
    due_at: datetime
    returned_at: datetime | None
    return_condition: str | None
    due_soon_sent_at: datetime | None
    overdue_sent_at: datetime | None
    delivery_task_id: UUID | None


class DeliveryCreate(BaseModel):
    """Where and when the borrower can receive the tool."""

    model_config = ConfigDict(extra="forbid")
    lat: Latitude
    lon: Longitude
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    note: Annotated[str, StringConstraints(max_length=1000)] = Field(
        default="", description="For the volunteer: floor, door code, when to call"
    )


class DeliveryRead(BaseModel):
    task_id: UUID
    starts_at: datetime
    ends_at: datetime
    loan: LoanRead


class HoldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: UUID
    person_id: UUID | None = Field(default=None, description="Staff holding for a resident")


class HoldRead(BaseModel):
    id: UUID
    item_id: UUID
    station_id: UUID
    item_name: str
    person_id: UUID
    status: HoldStatus
    position: int | None = Field(description="1 for the next in line, while waiting")
    kept_until: datetime | None = Field(description="While ready: collect it before this")
    created_at: datetime
