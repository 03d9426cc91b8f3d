"""Events tickets consume: the grid registry's map and departments, identity's role bindings
(read models), and notifications' emergency alerts (alerts.py: each alert's P0 ticket). Each
handler works in the same transaction as the inbox row."""

from __future__ import annotations

from collections.abc import Mapping

from civicgrid.grid.v1 import events_pb2 as grid_events
from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.handling import Handler
from civicgrid_tickets.events.incoming.alerts import NOTIFICATIONS_TOPIC, alert_handlers
from civicgrid_tickets.usecases import map_model
from civicgrid_tickets.usecases.context import TicketsContext

GRID_TOPIC = "civicgrid.grid.v1"
IDENTITY_TOPIC = "civicgrid.identity.v1"
TOPICS = (GRID_TOPIC, IDENTITY_TOPIC, NOTIFICATIONS_TOPIC)
CONSUMER_GROUP = "civicgrid-tickets"


async def on_unit_created(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(grid_events.UnitCreated)
    await map_model.remember_unit(uow, event.tenant_id, message.unit, list(message.ancestor_ids))


async def on_unit_updated(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(grid_events.UnitUpdated)
    await map_model.remember_unit(uow, event.tenant_id, message.unit, list(message.ancestor_ids))


async def on_unit_retired(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(grid_events.UnitRetired)
    await map_model.forget_unit(uow, event.tenant_id, message.unit_id)


async def on_department_changed(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(grid_events.DepartmentChanged)
    await map_model.remember_department(uow, event.tenant_id, message.department, message.deleted)


async def on_role_granted(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(identity_events.RoleGranted)
    await map_model.remember_binding(
        uow,
        event.tenant_id,
        message.binding_id,
        message.person_id,
        message.binding.role,
        message.binding.unit_id,
    )


async def on_role_revoked(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(identity_events.RoleRevoked)
    await map_model.forget_binding(uow, event.tenant_id, message.binding_id)


async def on_tenant_created(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(identity_events.TenantCreated)
    # The new district is named in the message (the event travels as the creating admin's).
    await map_model.remember_district(
        uow, parse_uuid(message.tenant_id, "tenant_id"), message.slug, message.name
    )


HANDLERS: Mapping[str, Handler] = {
    f"{GRID_TOPIC}.unit.created": on_unit_created,
    f"{GRID_TOPIC}.unit.updated": on_unit_updated,
    f"{GRID_TOPIC}.unit.retired": on_unit_retired,
    f"{GRID_TOPIC}.department.changed": on_department_changed,
    f"{IDENTITY_TOPIC}.role.granted": on_role_granted,
    f"{IDENTITY_TOPIC}.role.revoked": on_role_revoked,
    f"{IDENTITY_TOPIC}.tenant.created": on_tenant_created,
}


def handlers(ctx: TicketsContext) -> Mapping[str, Handler]:
    """Every handler of the consumer: the read models' and the alerts' (bound to `ctx`)."""
    return {**HANDLERS, **alert_handlers(ctx)}
