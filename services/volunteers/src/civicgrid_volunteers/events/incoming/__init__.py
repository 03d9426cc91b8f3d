"""Events volunteers consume: identity's people (names, party category and branch), and
tickets reported in a category that needs volunteers. Each handler works in the same
transaction as the inbox row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid.tickets.v1 import tickets_service_pb2 as tickets_pb
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.handling import Handler
from civicgrid_volunteers.domain.ticket_tasks import ReportedTicket
from civicgrid_volunteers.usecases import people, ticket_tasks
from civicgrid_volunteers.usecases.context import utc_now

IDENTITY_TOPIC = "civicgrid.identity.v1"
TICKETS_TOPIC = "civicgrid.tickets.v1"
TOPICS = (IDENTITY_TOPIC, TICKETS_TOPIC)
CONSUMER_GROUP = "civicgrid-volunteers"


async def on_person_registered(event: IncomingEvent, uow: UnitOfWork) -> None:
    await _remember(event, uow, event.decode(identity_events.PersonRegistered))


# What volunteers keep of a person; an update that changed none of it (emergency contacts, a
# phone number) carries none of it either.
_KEPT = frozenset({"display_name", "living_alone", "party_category", "party_branch"})


async def on_person_updated(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(identity_events.PersonUpdated)
    if _KEPT & set(message.changed_fields):
        await _remember(event, uow, message)


async def _remember(
    event: IncomingEvent,
    uow: UnitOfWork,
    message: identity_events.PersonRegistered | identity_events.PersonUpdated,
) -> None:
    await people.remember_person(
        uow,
        event.tenant_id,
        message.person_id,
        message.display_name,
        message.party_category,
        message.party_branch,
        message.living_alone,
    )


def reported_ticket(ticket: tickets_pb.Ticket, event: IncomingEvent) -> ReportedTicket:
    """The ticket as the task rules read it; reported when the ticket was made (else when
    the event says it happened, else now)."""
    if ticket.HasField("created_at"):
        reported_at = ticket.created_at.ToDatetime(tzinfo=UTC)
    else:
        reported_at = event.time or utc_now()
    located = ticket.HasField("location")
    return ReportedTicket(
        id=str(parse_uuid(ticket.id, "ticket.id")),
        number=ticket.number,
        category=ticket.category,
        description=ticket.description,
        address=ticket.address,
        lat=ticket.location.lat if located else None,
        lon=ticket.location.lon if located else None,
        grid_id=parse_uuid(ticket.grid_id, "ticket.grid_id") if ticket.grid_id else None,
        reported_at=reported_at,
    )


async def on_ticket_created(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(ticket_events.TicketCreated)
    ticket = reported_ticket(message.ticket, event)
    await ticket_tasks.task_for_ticket(uow, event.tenant_id, ticket, utc_now())


HANDLERS: Mapping[str, Handler] = {
    f"{IDENTITY_TOPIC}.person.registered": on_person_registered,
    f"{IDENTITY_TOPIC}.person.updated": on_person_updated,
    f"{TICKETS_TOPIC}.ticket.created": on_ticket_created,
}
