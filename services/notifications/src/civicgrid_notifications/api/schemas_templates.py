"""Request and response bodies of the templates' HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.domain.templates import BODY_LIMITS, SUBJECT_LIMIT

# PostgreSQL text cannot hold U+0000: refused here, naming the field.
NO_NUL = r"^[^\x00]*$"
EVENT_TYPE = r"^[a-z][a-z_]*\.[a-z_]+$"
LOCALE = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"

EventType = Annotated[str, StringConstraints(max_length=64, pattern=EVENT_TYPE)]
Locale = Annotated[str, StringConstraints(max_length=16, pattern=LOCALE)]
Subject = Annotated[str, StringConstraints(max_length=SUBJECT_LIMIT, pattern=NO_NUL)]
Body = Annotated[
    str, StringConstraints(min_length=1, max_length=max(BODY_LIMITS.values()), pattern=NO_NUL)
]
VariableValue = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]

_LANGUAGE = (
    "Jinja2 text: {{ variable }}, {% if %}...{% else %}...{% endif %}, ~ to join text, and the "
    "filters default, upper, lower, title, capitalize, trim, truncate, length and datetime "
    "(an ISO timestamp in the recipient's zone, or datetime('Europe/Berlin', '%H:%M'))."
)


class TemplateWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Subject = Field(
        default="", description="Email subject or in-app title; none on sms and voice."
    )
    body: Body = Field(description=f"{_LANGUAGE} At most 500 characters on sms, 1000 on voice.")


class TemplateRead(BaseModel):
    event_type: str
    channel: Channel
    locale: str
    subject: str
    body: str
    built_in: bool = Field(description="true: the district has not saved its own")
    version: int | None = Field(description="The district's version; null for a built-in")
    updated_by: str | None
    updated_at: datetime | None
    variables: list[str] = Field(description="What the event type offers its templates")


class PreviewWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_type: EventType
    channel: Channel
    locale: Locale
    subject: Subject | None = None
    body: Body | None = Field(
        default=None, description="The text to try; left out: the template in force for the key"
    )
    variables: dict[Annotated[str, StringConstraints(max_length=64)], VariableValue] = Field(
        default_factory=dict,
        max_length=50,
        description="Values to show instead of the samples, by variable name",
    )


class PreviewRead(BaseModel):
    subject: str
    body: str
    variables: dict[str, str] = Field(description="The values it was rendered with")
