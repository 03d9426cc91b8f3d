"""The in-app inbox as the console reads it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class InboxMessageRead(BaseModel):
    id: UUID
    event_type: str
    category: str
    urgent: bool
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxMessageRead]
    next_cursor: str | None
    unread: int


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None: every unread message.
    ids: list[UUID] | None = Field(default=None, max_length=500)


class Marked(BaseModel):
    marked: int
