"""Events identity consumes: the grid registry's unit changes (for unit ancestry)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from civicgrid.grid.v1 import events_pb2 as grid_events
from civicgrid_identity.usecases.ancestry import remember_unit_ancestry
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.handling import Handler

GRID_TOPIC = "civicgrid.grid.v1"
CONSUMER_GROUP = "civicgrid-identity"


async def on_unit_created(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(grid_events.UnitCreated)
    await remember_unit_ancestry(
        uow, event.tenant_id, UUID(message.unit.id), [UUID(a) for a in message.ancestor_ids]
    )


async def on_unit_updated(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(grid_events.UnitUpdated)
    await remember_unit_ancestry(
        uow, event.tenant_id, UUID(message.unit.id), [UUID(a) for a in message.ancestor_ids]
    )


HANDLERS: Mapping[str, Handler] = {
    f"{GRID_TOPIC}.unit.created": on_unit_created,
    f"{GRID_TOPIC}.unit.updated": on_unit_updated,
}
