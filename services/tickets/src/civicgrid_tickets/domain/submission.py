"""A report as it arrives on any channel, checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.categories import PRIORITIES
from civicgrid_tickets.domain.geo import valid_point

CHANNELS = frozenset({"web", "hotline", "patrol", "elderly_alert", "open311"})
MAX_DESCRIPTION = 4000


@dataclass(frozen=True, slots=True)
class Submission:
    channel: str
    category: str
    description: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    priority: str | None = None  # None: the category's default
    attributes: dict[str, Any] = field(default_factory=dict)
    # Who the ticket is about; None for an anonymous report, which then needs a contact.
    reporter_person_id: UUID | None = None
    contact: dict[str, str] | None = None
    idempotency_key: str | None = None

    def checked(self) -> Submission:
        if self.channel not in CHANNELS:
            raise InvalidInput(f"one of {', '.join(sorted(CHANNELS))}", field="channel")
        if not self.description.strip() or len(self.description) > MAX_DESCRIPTION:
            raise InvalidInput(
                f"describe the problem in 1-{MAX_DESCRIPTION} characters", field="description"
            )
        if (self.lat is None) != (self.lon is None):
            raise InvalidInput("give both lat and lon, or neither", field="lat")
        if self.lat is not None and self.lon is not None and not valid_point(self.lat, self.lon):
            raise InvalidInput("lat -90..90 and lon -180..180", field="lat")
        if self.lat is None and not (self.address or "").strip():
            raise InvalidInput("a location: lat and lon, or an address", field="location")
        if self.priority is not None and self.priority not in PRIORITIES:
            raise InvalidInput(f"one of {', '.join(PRIORITIES)}", field="priority")
        if self.reporter_person_id is None:
            contact = self.contact or {}
            if not (contact.get("phone") or contact.get("email")):
                raise InvalidInput("an anonymous report needs a phone or an email", field="contact")
        return self
