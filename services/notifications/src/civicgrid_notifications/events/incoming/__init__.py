"""Events notifications consume: every domain's facts that someone must hear about. Each
handler works in the same transaction as the inbox row."""

from __future__ import annotations

from collections.abc import Mapping

from civicgrid_platform.events.handling import Handler

IDENTITY_TOPIC = "civicgrid.identity.v1"
GRID_TOPIC = "civicgrid.grid.v1"
TICKETS_TOPIC = "civicgrid.tickets.v1"
VOLUNTEERS_TOPIC = "civicgrid.volunteers.v1"
TOPICS = (IDENTITY_TOPIC, GRID_TOPIC, TICKETS_TOPIC, VOLUNTEERS_TOPIC)
CONSUMER_GROUP = "civicgrid-notifications"

HANDLERS: Mapping[str, Handler] = {}
