"""Events as other services publish them, fed through notifications' own consumer path."""

from __future__ import annotations

import uuid
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import text

from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid.tickets.v1 import tickets_service_pb2 as tickets_pb
from civicgrid_notifications.events.incoming import CONSUMER_GROUP, build_handlers
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform.events.handling import Outcome
from civicgrid_testkit.events import consume, outgoing, record

TICKETS = "civicgrid.tickets.v1"
IDENTITY = "civicgrid.identity.v1"
VOLUNTEERS = "civicgrid.volunteers.v1"


async def feed(ctx: NotificationsContext, *events: tuple[str, str, uuid.UUID, Message]) -> Outcome:
    """(topic, name, tenant, message) events applied as one polled batch."""
    records = [
        record(outgoing(topic, name, tenant, uuid.uuid4(), message), offset)
        for offset, (topic, name, tenant, message) in enumerate(events)
    ]
    return await consume(ctx.uow, CONSUMER_GROUP, build_handlers(ctx), records)


def ticket_created(reporter: uuid.UUID, **fields: Any) -> ticket_events.TicketCreated:
    ticket = tickets_pb.Ticket(
        id=str(fields.pop("ticket_id", uuid.uuid4())),
        number=fields.pop("number", "2026-000042"),
        category=fields.pop("category", "streetlight"),
        description="The lamp at the gate is out",
        address="3 Lane 5",
        level="grid",
        **fields,
    )
    return ticket_events.TicketCreated(ticket=ticket, reporter_person_id=str(reporter))


async def rows(ctx: NotificationsContext, tenant: uuid.UUID, sql: str, **params: Any) -> list[Any]:
    async with ctx.uow(tenant_id=tenant) as uow:
        return list((await uow.session.execute(text(sql), params)).all())
