"""Request and response bodies of the grid registry's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class UnitRead(BaseModel):
    id: UUID
    kind: str
    code: str
    name: str
    parent_id: UUID | None
    address: str | None
    attributes: dict[str, Any]
    geometry: dict[str, Any] | None = Field(description="GeoJSON geometry of this version")
    version: int
    valid_from: datetime
    valid_to: datetime | None


class ImportProblemRead(BaseModel):
    feature: int | None
    code: str | None
    field: str | None
    reason: str


class ImportSummaryRead(BaseModel):
    district_id: UUID
    created: int
    updated: int
    retired: int
    unchanged: int


class DepartmentWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    contact: Name
    categories: list[Category] = Field(min_length=1, max_length=50)
    jurisdiction_unit_ids: list[UUID] = Field(
        default_factory=list, max_length=500, description="empty: the whole district"
    )


class DepartmentRead(BaseModel):
    id: UUID
    name: str
    contact: str
    categories: list[str]
    jurisdiction_unit_ids: list[UUID]
