"""Events volunteers consume: identity's people (names, party category and branch). Each
handler updates a read model in the same transaction as the inbox row."""

from __future__ import annotations

from collections.abc import Mapping

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.handling import Handler
from civicgrid_volunteers.usecases import people

IDENTITY_TOPIC = "civicgrid.identity.v1"
TOPICS = (IDENTITY_TOPIC,)
CONSUMER_GROUP = "civicgrid-volunteers"


async def on_person_registered(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(identity_events.PersonRegistered)
    await people.remember_person(
        uow,
        event.tenant_id,
        message.person_id,
        message.display_name,
        message.party_category,
        message.party_branch,
        message.living_alone,
    )


# What volunteers keep of a person; an update that changed none of it (emergency contacts, a
# phone number) carries none of it either.
_KEPT = frozenset({"display_name", "living_alone", "party_category", "party_branch"})


async def on_person_updated(event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(identity_events.PersonUpdated)
    if not _KEPT & set(message.changed_fields):
        return
    await people.remember_person(
        uow,
        event.tenant_id,
        message.person_id,
        message.display_name,
        message.party_category,
        message.party_branch,
        message.living_alone,
    )


HANDLERS: Mapping[str, Handler] = {
    f"{IDENTITY_TOPIC}.person.registered": on_person_registered,
    f"{IDENTITY_TOPIC}.person.updated": on_person_updated,
}
