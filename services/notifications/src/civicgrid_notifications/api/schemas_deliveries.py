"""Deliveries and their attempts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel


class AttemptRead(BaseModel):
    number: int
    provider: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    status_code: int | None
    detail: str


class DeliveryRead(BaseModel):
    id: UUID
    event_id: UUID
    event_type: str
    recipient: str
    person_id: UUID | None
    channel: str
    category: str
    urgent: bool
    locale: str
    subject: str
    body: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    provider: str | None
    last_error: str | None
    alert_id: UUID | None
    created_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None


class DeliveryDetail(DeliveryRead):
    attempt_log: list[AttemptRead]


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None
