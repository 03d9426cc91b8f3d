"""The emergency-alert chain over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class RaiseAlert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: UUID


class ResolveAlert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(max_length=32)
    note: str = Field(default="", max_length=2000)


class ResponderRead(BaseModel):
    responder: str
    person_id: UUID | None
    name: str
    role: str
    step: int
    asked_at: datetime


class TimelineRead(BaseModel):
    at: datetime
    kind: str
    step: int | None
    detail: dict[str, Any]


class AlertRead(BaseModel):
    id: UUID
    person_id: UUID
    person_name: str
    source: str
    drill: bool
    status: str
    step: int
    policy: dict[str, Any]
    address: str
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_name: str | None
    acknowledged_at: datetime | None
    on_site_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None


class AlertDetail(AlertRead):
    responders: list[ResponderRead]
    timeline: list[TimelineRead]


class AlertList(BaseModel):
    items: list[AlertRead]


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step1_after_seconds: int = Field(default=60, description="No answer this long: step 1.")
    step2_after_seconds: int = Field(default=300, description="No answer this long: step 2.")
    on_site_within_seconds: int = Field(
        default=900, description="Acknowledged but not on site this long: escalation restarts."
    )
    volunteers_asked: int = Field(default=3, description="Nearest volunteers step 1 asks.")


class RosterBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duties: dict[str, list[UUID]] = Field(
        description="worker, backup, supervisor, desk: people in the order they are asked.",
        max_length=4,
    )


class RosterRead(BaseModel):
    unit_id: UUID
    duties: dict[str, list[UUID]]


class CareProfileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=32)
    grid_id: UUID | None = None
    address: str = Field(default="", max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    device_id: str | None = Field(default=None, min_length=1, max_length=64)
    heartbeat_seconds: int = Field(default=3600, ge=60, le=604800)


class CareProfileRead(BaseModel):
    person_id: UUID
    display_name: str
    phone: str
    grid_id: UUID | None
    address: str
    lat: float | None
    lon: float | None


class DrillBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: UUID
    at: datetime


class DrillRead(BaseModel):
    person_id: UUID
    at: datetime


class DeviceAnswer(BaseModel):
    """What an alert device shows: its alert and whether help is coming."""

    alert_id: UUID | None
    status: str
    help_coming: bool
    responder_name: str | None
