"""Events become messages: the consumer's own path (inbox-guarded batches) into the real
database; rule -> recipients -> preferences -> template -> deliveries. In-app messages are
stored at once, the rest queued for the dispatcher; a redelivered event sends nothing twice;
quiet hours hold what may wait and never what is urgent."""

from __future__ import annotations

import uuid

import httpx
import pytest

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid.volunteers.v1 import events_pb2 as volunteer_events
from civicgrid_notifications.events.incoming.volunteers import RULES
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import deliver
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_testkit.events import outgoing, record
from services.notifications.tests.messages_support import (
    IDENTITY,
    TICKETS,
    VOLUNTEERS,
    feed,
    rows,
    ticket_created,
)
from services.notifications.tests.notifications_support import MONDAY_9, District

pytestmark = pytest.mark.integration

DELIVERIES = (
    "SELECT channel, status, recipient, subject, body, next_attempt_at FROM deliveries"
    " WHERE tenant_id = :t ORDER BY channel"
)


async def _district(ctx: NotificationsContext, district: District, **fields: str) -> None:
    created = identity_events.TenantCreated(
        tenant_id=district.tenant,
        name=fields.get("name", "Lixia"),
        timezone=fields.get("timezone", "Asia/Shanghai"),
        locale=fields.get("locale", "en"),
    )
    await feed(ctx, (IDENTITY, "tenant.created", district.tenant_id, created))


async def test_notifications_a_report_tells_its_reporter_in_app_and_by_sms(
    timed: NotificationsContext, district: District
) -> None:
    await _district(timed, district)
    reporter = uuid.uuid4()
    named = identity_events.PersonRegistered(person_id=str(reporter), display_name="Wang Fang")
    created = ticket_created(reporter)

    outcome = await feed(
        timed,
        (IDENTITY, "person.registered", district.tenant_id, named),
        (TICKETS, "ticket.created", district.tenant_id, created),
    )

    assert not outcome.dead
    found = await rows(timed, district.tenant_id, DELIVERIES + ", event_type", t=district.tenant_id)
    report = [r for r in found if r.recipient == f"person:{reporter}" and "2026-000042" in r.body]
    assert {r.channel for r in report} == {"inapp", "sms"}
    inapp = next(r for r in report if r.channel == "inapp")
    sms = next(r for r in report if r.channel == "sms")
    assert inapp.status == "delivered" and sms.status == "queued"
    assert sms.next_attempt_at == MONDAY_9
    inbox = await rows(
        timed,
        district.tenant_id,
        "SELECT title, body, link FROM inbox_messages WHERE tenant_id = :t AND person_id = :p"
        " AND event_type = 'ticket.created'",
        t=district.tenant_id,
        p=reporter,
    )
    assert len(inbox) == 1 and inbox[0].link.startswith("/tickets/")


async def test_notifications_a_redelivered_event_sends_nothing_twice(
    timed: NotificationsContext, district: District
) -> None:
    await _district(timed, district)
    person = uuid.uuid4()
    offer = volunteer_events.OfferMade(
        offer_id=str(uuid.uuid4()), task_id=str(uuid.uuid4()), person_id=str(person)
    )
    event = (VOLUNTEERS, "offer.made", district.tenant_id, offer)

    await feed(timed, event)
    before = await rows(timed, district.tenant_id, DELIVERIES, t=district.tenant_id)
    # The same event again (same id: the consumer's inbox) and the same payload under a new
    # event id from a replayed topic: the deliveries' own key keeps them single.
    replay = IncomingEvent.from_record(
        record(outgoing(VOLUNTEERS, "offer.made", district.tenant_id, "k", offer))
    )
    async with timed.uow(tenant_id=district.tenant_id) as uow:
        notices = await RULES["offer.made"](replay, uow)
        first = await deliver(timed, uow, notices[0])
        again = await deliver(timed, uow, notices[0])
        await uow.commit()
    after = await rows(timed, district.tenant_id, DELIVERIES, t=district.tenant_id)
    assert len(before) == 2 and first == 2 and again == 0 and len(after) == 4


async def test_notifications_quiet_hours_hold_sms_until_morning_but_not_urgent_breaches(
    timed: NotificationsContext, district: District, api: httpx.AsyncClient
) -> None:
    await _district(timed, district)
    owner = uuid.uuid4()
    saved = await api.put(
        "/v1/me/preferences",
        json={"quiet_hours": {"start": "08:00", "end": "12:00"}},
        headers=district.person(owner),
    )
    assert saved.status_code == 200, saved.text
    ticket = uuid.uuid4()
    assigned = ticket_events.TicketAssigned(
        ticket_id=str(ticket), level="grid", owner_person_ids=[str(owner)]
    )
    breached = ticket_events.TicketSlaBreached(ticket_id=str(ticket), clock="resolve", level="grid")
    await feed(
        timed,
        (
            TICKETS,
            "ticket.created",
            district.tenant_id,
            ticket_created(uuid.uuid4(), ticket_id=ticket),
        ),
        (TICKETS, "ticket.assigned", district.tenant_id, assigned),
        (TICKETS, "ticket.sla_breached", district.tenant_id, breached),
    )
    mine = await rows(
        timed,
        district.tenant_id,
        "SELECT event_type, channel, urgent, next_attempt_at FROM deliveries"
        " WHERE tenant_id = :t AND person_id = :p AND channel <> 'inapp'",
        t=district.tenant_id,
        p=owner,
    )
    # 09:00 local is quiet: the assignment's email waits for 12:00 local (04:00 UTC).
    email = next(r for r in mine if r.event_type == "ticket.assigned")
    assert email.next_attempt_at.hour == 4 and not email.urgent
    # The breach is urgent: it leaves now on every urgent channel.
    urgent = [r for r in mine if r.event_type == "ticket.sla_breached"]
    assert {r.channel for r in urgent} == {"sms", "email"}
    assert all(r.urgent and r.next_attempt_at == MONDAY_9 for r in urgent)


async def test_notifications_a_bad_event_is_set_aside_and_the_batch_goes_on(
    timed: NotificationsContext, district: District
) -> None:
    await _district(timed, district)
    person = uuid.uuid4()
    bad = volunteer_events.HoldReady(hold_id="h", person_id="not-a-uuid")
    good = volunteer_events.HoldReady(hold_id="h2", person_id=str(person))
    outcome = await feed(
        timed,
        (VOLUNTEERS, "hold.ready", district.tenant_id, bad),
        (VOLUNTEERS, "hold.ready", district.tenant_id, good),
    )
    assert len(outcome.dead) == 1
    assert await rows(
        timed,
        district.tenant_id,
        "SELECT 1 FROM inbox_messages WHERE tenant_id = :t AND person_id = :p",
        t=district.tenant_id,
        p=person,
    )
