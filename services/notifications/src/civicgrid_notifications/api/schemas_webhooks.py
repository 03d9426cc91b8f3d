"""Request and response bodies of integrators' webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from civicgrid_notifications.domain.webhook_targets import MAX_URL_LENGTH
from civicgrid_notifications.domain.webhooks import (
    MAX_FILTER_LENGTH,
    MAX_FILTERS,
    MAX_ROTATION_OVERLAP,
)

Url = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_URL_LENGTH),
    Field(description="http(s) URL the messages are POSTed to; no credentials, no fragment"),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
EventType = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=MAX_FILTER_LENGTH, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$"
    ),
]
EventTypes = Annotated[
    list[EventType],
    Field(
        max_length=MAX_FILTERS,
        description="CloudEvent types (civicgrid.tickets.v1.ticket.created) or prefixes "
        "(civicgrid.tickets.v1.*); empty: every event",
    ),
]
Secret = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128),
    Field(description="whsec_ and base64 of 24 to 64 random bytes; omitted: one is made"),
]
MessageStatus = Literal["pending", "delivered", "failed"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Url
    description: Description = ""
    event_types: EventTypes = Field(default_factory=list)
    secret: Secret | None = None


class WebhookUpdate(BaseModel):
    """Only what changes; enabling a disabled endpoint checks its URL again."""

    model_config = ConfigDict(extra="forbid")
    url: Url | None = None
    description: Description | None = None
    event_types: EventTypes | None = None
    enabled: bool | None = None

    @field_validator("url", "description", "event_types", "enabled", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Omit a field to keep it; null would clear what every subscription has.
        if value is None:
            raise ValueError("may be omitted, not null")
        return value


class WebhookRead(BaseModel):
    id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="gone (410), failing (5 days), admin")
    disabled_at: datetime | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the previous secret signs beside the current one"
    )
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Shown once: verify signatures with it")


class SecretRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    secret: Secret | None = None
    previous_valid_seconds: int | None = Field(
        default=None,
        ge=0,
        le=int(MAX_ROTATION_OVERLAP.total_seconds()),
        description="How long the previous secret keeps signing; default 86400 (24 h)",
    )


class SecretRotated(BaseModel):
    secret: str = Field(description="Shown once")
    previous_expires_at: datetime | None


class MessageRead(BaseModel):
    id: UUID = Field(description="The webhook-id header, the same on every retry and replay")
    event_id: UUID
    event_type: str
    status: MessageStatus
    attempts: int = Field(description="Attempts in the current round (a replay starts one)")
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    finished_at: datetime | None


class MessageDetail(MessageRead):
    payload: dict[str, Any] = Field(description="The body as sent: type, timestamp, data")


class AttemptRead(BaseModel):
    id: int
    number: int
    started_at: datetime
    duration_ms: int
    outcome: Literal["delivered", "failed", "gone", "error"]
    status_code: int | None
    error: str
    response: str = Field(description="The start of the endpoint's answer")


class ReplayFailed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: AwareDatetime = Field(description="Failed messages queued from then on")


class Replayed(BaseModel):
    replayed: int


class WebhookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    internal_targets: bool = Field(
        description="Webhooks may target private, loopback and link-local addresses (an "
        "internal integration); set by platform admins only"
    )
