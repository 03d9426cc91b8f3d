"""Request and response bodies of the hours ledger's HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from civicgrid_volunteers.api.schemas import NO_NUL
from civicgrid_volunteers.domain.ledger import MAX_NOTE_LENGTH, MAX_POSTING_MINUTES

# PostgreSQL text cannot hold NUL; refused here so the answer names the field.


class CorrectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    volunteer_id: UUID
    minutes: StrictInt = Field(
        ge=-MAX_POSTING_MINUTES,
        le=MAX_POSTING_MINUTES,
        description="Signed, not 0: positive credits minutes, negative takes them back (never "
        "below a zero balance). At most one day's service per correction.",
    )
    note: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=MAX_NOTE_LENGTH, pattern=NO_NUL
        ),
    ] = Field(description="Why the correction is made; kept with it for the audit.")
    worked_on: date = Field(
        description="The day the corrected service was given, in the district's time zone; "
        "not in the future, at most a year back."
    )
    task_id: UUID | None = Field(default=None, description="The task it concerns, if any.")


class PostingRead(BaseModel):
    posting_id: UUID
    volunteer_id: UUID
    minutes: int
    reason: str
    note: str
    task_id: UUID | None
    actor_id: str
    worked_on: datetime
    balance_minutes: int = Field(description="The volunteer's balance once posted.")


class EntryRead(BaseModel):
    posting_id: UUID
    minutes: int
    balance_after_minutes: int = Field(description="The balance once this entry was posted.")
    reason: str = Field(description="check_out or correction")
    note: str
    task_id: UUID | None
    actor_id: str | None = Field(description="Who posted it: the volunteer or staff member.")
    worked_on: datetime
    posted_at: datetime


class HoursStatement(BaseModel):
    volunteer_id: UUID
    balance_minutes: int
    items: list[EntryRead] = Field(description="Newest posting first.")
    next_cursor: str | None = None


class TimebankRead(BaseModel):
    balance_minutes: int = Field(
        description="The time bank's balance: minus the minutes credited to volunteers."
    )
    minutes_served: int
    volunteers: int = Field(description="Volunteers with at least one posting.")
    postings: int
