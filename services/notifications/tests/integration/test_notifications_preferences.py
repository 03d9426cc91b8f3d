"""A person's own preferences: the defaults they start from (their district's zone and
language once identity announced it), what they may choose (channels per category, quiet
hours, digest categories), what they may not (switching off or delaying urgent messages, names
nobody knows), and what a choice does: deadline warnings wait for the next morning's digest,
which the digest timer sends as one message per official with every waiting line (the
supervising officials, found in identity over the wire, read breaches there too)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid.volunteers.v1 import events_pb2 as volunteer_events
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.digest import send_digests
from civicgrid_notifications.usecases.fanout import DIGEST_TIMER
from civicgrid_platform import timers
from civicgrid_testkit import ServiceDatabase
from services.notifications.tests.alert_support import wired
from services.notifications.tests.identity_contract import Directory
from services.notifications.tests.messages_support import (
    IDENTITY,
    TICKETS,
    VOLUNTEERS,
    feed,
    rows,
    ticket_created,
)
from services.notifications.tests.notifications_support import (
    MONDAY_9,
    TOKENS,
    District,
    SettableClock,
)

pytestmark = pytest.mark.integration

DEFAULT_CHANNELS = {
    "my_reports": ["inapp", "sms"],
    "work": ["inapp", "email"],
    "sla": ["inapp", "email"],
    "sla_breach": ["inapp", "sms", "email"],
    "volunteering": ["inapp", "sms"],
    "lending": ["inapp", "sms"],
    "account": ["inapp", "email"],
    "alerts": ["inapp", "sms", "voice"],
}


async def _district(
    ctx: NotificationsContext, district: District, timezone: str, locale: str
) -> None:
    created = identity_events.TenantCreated(
        tenant_id=district.tenant, name="Lixia", timezone=timezone, locale=locale
    )
    assert not (await feed(ctx, (IDENTITY, "tenant.created", district.tenant_id, created))).dead


async def test_notifications_preferences_start_from_the_districts_zone_and_language(
    api: httpx.AsyncClient, timed: NotificationsContext, district: District
) -> None:
    me = district.person(uuid.uuid4())
    before = await api.get("/v1/me/preferences", headers=me)
    assert before.status_code == 200, before.text
    # Identity has not announced the district yet: the service's own defaults.
    assert (before.json()["timezone"], before.json()["locale"]) == ("Asia/Shanghai", "zh-CN")

    await _district(timed, district, "Asia/Urumqi", "en")
    found = await api.get("/v1/me/preferences", headers=me)

    assert found.json() == {
        "timezone": "Asia/Urumqi",
        "locale": "en",
        "quiet_hours": None,
        "channels": DEFAULT_CHANNELS,
        "digest_categories": [],
        "urgent_categories": ["alerts", "sla_breach"],
    }
    client = TOKENS.bearer(district.tenant, subject="integrator-7", kind="client")
    assert (await api.get("/v1/me/preferences", headers=client)).status_code == 403
    refused = await api.put("/v1/me/preferences", json={}, headers=client)
    assert refused.status_code == 403


async def test_notifications_preferences_saved_whole_and_used_for_the_next_message(
    api: httpx.AsyncClient, timed: NotificationsContext, district: District
) -> None:
    await _district(timed, district, "Asia/Shanghai", "en")
    person = uuid.uuid4()
    me = district.person(person)
    choice = {
        "timezone": "Europe/Berlin",
        "locale": "zh-CN",
        "quiet_hours": {"start": "22:00", "end": "07:00"},
        "channels": {
            "volunteering": ["inapp", "email", "inapp"],
            "alerts": ["inapp", "sms", "voice", "email"],  # urgent: more is fine
        },
        "digest_categories": ["work", "sla", "work"],
    }

    saved = await api.put("/v1/me/preferences", json=choice, headers=me)

    assert saved.status_code == 200, saved.text
    expected = {
        "timezone": "Europe/Berlin",
        "locale": "zh-CN",
        "quiet_hours": {"start": "22:00:00", "end": "07:00:00"},
        "channels": DEFAULT_CHANNELS
        | {
            "volunteering": ["inapp", "email"],
            "alerts": ["inapp", "sms", "voice", "email"],
        },
        "digest_categories": ["sla", "work"],
        "urgent_categories": ["alerts", "sla_breach"],
    }
    assert saved.json() == expected
    assert (await api.get("/v1/me/preferences", headers=me)).json() == expected
    # Someone else in the district still has the defaults.
    other = (await api.get("/v1/me/preferences", headers=district.person())).json()
    assert other["channels"] == DEFAULT_CHANNELS and other["timezone"] == "Asia/Shanghai"

    # The next volunteering message takes the chosen channels, in the chosen language.
    offer = volunteer_events.OfferMade(
        offer_id=str(uuid.uuid4()), task_id=str(uuid.uuid4()), person_id=str(person)
    )
    await feed(timed, (VOLUNTEERS, "offer.made", district.tenant_id, offer))
    sent = await rows(
        timed,
        district.tenant_id,
        "SELECT channel, locale FROM deliveries WHERE tenant_id = :t AND person_id = :p",
        t=district.tenant_id,
        p=person,
    )
    assert sorted(sent) == [("email", "zh-CN"), ("inapp", "zh-CN")]

    # A PUT replaces everything: an empty one is back to the defaults.
    reset = await api.put("/v1/me/preferences", json={}, headers=me)
    assert reset.json()["channels"] == DEFAULT_CHANNELS
    assert reset.json()["quiet_hours"] is None and reset.json()["digest_categories"] == []
    assert (reset.json()["timezone"], reset.json()["locale"]) == ("Asia/Shanghai", "en")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channels": {"parties": ["sms"]}}, "channels.parties"),
        ({"channels": {"work": ["inapp", "pigeon"]}}, "channels.work"),
        ({"channels": {"alerts": ["inapp"]}}, "channels.alerts"),
        ({"channels": {"sla_breach": ["inapp", "email"]}}, "channels.sla_breach"),
        ({"digest_categories": ["work", "alerts"]}, "digest_categories.1"),
        ({"digest_categories": ["sla_breach"]}, "digest_categories.0"),
        ({"digest_categories": ["sla", "gossip"]}, "digest_categories.1"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"locale": "fr"}, "locale"),
        ({"quiet_hours": {"start": "22:00"}}, "body.quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00", "end": None}}, "body.quiet_hours.end"),
        ({"quiet_hours": {"end": "07:00"}}, "body.quiet_hours.start"),
    ],
)
async def test_notifications_preferences_refuses_what_cannot_be_chosen_naming_the_field(
    api: httpx.AsyncClient, district: District, change: dict[str, Any], field: str
) -> None:
    me = district.person(uuid.uuid4())
    kept = {"channels": {"work": ["inapp"]}, "digest_categories": ["lending"]}
    assert (await api.put("/v1/me/preferences", json=kept, headers=me)).status_code == 200

    refused = await api.put("/v1/me/preferences", json=change, headers=me)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    # Nothing of the refused change was kept.
    now = (await api.get("/v1/me/preferences", headers=me)).json()
    assert now["channels"]["work"] == ["inapp"] and now["digest_categories"] == ["lending"]
    assert now["channels"]["alerts"] == DEFAULT_CHANNELS["alerts"]


# --- the daily digest -------------------------------------------------------------------------
@dataclass
class Office:
    """A unit with an owner working its cases and two officials supervising it."""

    ctx: NotificationsContext
    api: httpx.AsyncClient
    district: District
    unit: uuid.UUID
    owner: uuid.UUID
    supervisor: uuid.UUID
    desk: uuid.UUID


@pytest.fixture
async def office(
    timed: NotificationsContext,
    notifications_db: ServiceDatabase,
    notifications_engine: AsyncEngine,
    district: District,
) -> AsyncIterator[Office]:
    directory = Directory()
    tenant, unit = district.tenant_id, uuid.uuid4()
    owner = directory.person(tenant, "Zhao Owner", "+8613800000011", "zhao@example.org")
    supervisor = directory.person(tenant, "Qian Street", "+8613800000012", "qian@example.org")
    desk = directory.person(tenant, "Zhou District", "+8613800000013", "zhou@example.org")
    directory.hold(unit, "street_officer", supervisor)
    directory.hold(unit, "district_officer", desk)
    async with wired(timed, notifications_db, notifications_engine, directory) as (ctx, api):
        await _district(ctx, district, "Asia/Shanghai", "en")
        yield Office(ctx, api, district, unit, owner, supervisor, desk)


async def _late_ticket(office: Office, number: str, *events: str) -> None:
    """A ticket of the office's unit owned by its owner, then its deadline events."""
    tenant, ticket = office.district.tenant_id, uuid.uuid4()
    due = Timestamp()
    due.FromDatetime(MONDAY_9 + timedelta(hours=2))
    created = ticket_created(
        uuid.uuid4(), ticket_id=ticket, number=number, owner_unit_id=str(office.unit)
    )
    assigned = ticket_events.TicketAssigned(
        ticket_id=str(ticket),
        level="grid",
        owner_person_ids=[str(office.owner)],
        owner_unit_id=str(office.unit),
    )
    deadline = {
        "ticket.sla_warning": ticket_events.TicketSlaWarning(
            ticket_id=str(ticket), clock="resolve", due_at=due, level="grid"
        ),
        "ticket.sla_breached": ticket_events.TicketSlaBreached(
            ticket_id=str(ticket), clock="resolve", due_at=due, level="grid"
        ),
    }
    outcome = await feed(
        office.ctx,
        (TICKETS, "ticket.created", tenant, created),
        (TICKETS, "ticket.assigned", tenant, assigned),
        *[(TICKETS, name, tenant, deadline[name]) for name in events],
    )
    assert not outcome.dead, outcome.dead


async def _digest_hour(office: Office, clock: SettableClock, seconds: float) -> int:
    """Moves the clock on, then runs the due digest timers as the timers component does; how
    many ran. Only this kind: the session's database also holds alert chains other tests left
    open, and a day's jump would replay every reminder round they missed."""
    clock.advance(seconds=seconds)
    handlers = {DIGEST_TIMER: send_digests}
    total = 0
    while ran := await timers.run_due(office.ctx.uow, clock(), office.ctx, handlers):
        total += ran
    return total


async def _messages(office: Office, person: uuid.UUID) -> list[Any]:
    return await rows(
        office.ctx,
        office.district.tenant_id,
        "SELECT event_type, channel, subject, body FROM deliveries"
        " WHERE tenant_id = :t AND person_id = :p ORDER BY event_type, channel",
        t=office.district.tenant_id,
        p=person,
    )


async def _inbox(office: Office, person: uuid.UUID) -> list[dict[str, Any]]:
    found = await office.api.get(
        "/v1/me/inbox", headers=office.district.person(person, "street_officer")
    )
    assert found.status_code == 200, found.text
    return list(found.json()["items"])


async def test_notifications_digest_carries_warnings_and_breaches_as_one_morning_message(
    office: Office, clock: SettableClock
) -> None:
    owner, supervisor, desk = office.owner, office.supervisor, office.desk
    chosen = await office.api.put(
        "/v1/me/preferences",
        json={"digest_categories": ["sla"]},
        headers=office.district.person(owner, "grid_leader"),
    )
    assert chosen.status_code == 200, chosen.text

    await _late_ticket(office, "2026-000101", "ticket.sla_warning")
    await _late_ticket(office, "2026-000102", "ticket.sla_warning", "ticket.sla_breached")

    # The owner chose to read warnings in the digest: no warning message now. A breach is
    # urgent and comes at once, whatever was chosen.
    now = {(m.event_type, m.channel) for m in await _messages(office, owner)}
    assert not [kind for kind, _ in now if kind == "ticket.sla_warning"]
    assert {c for kind, c in now if kind == "ticket.sla_breached"} == {"inapp", "sms", "email"}
    # The supervising officials only ever read lines in the digest.
    for official in (supervisor, desk):
        assert [
            m.event_type
            for m in await _messages(office, official)
            if m.event_type.startswith("ticket.")
        ] == []

    # Tuesday 08:00 in the district (the digest hour) is 23 hours after Monday 09:00.
    await _digest_hour(office, clock, timedelta(hours=23).total_seconds() - 1)
    assert [m for m in await _messages(office, supervisor) if m.event_type == "digest.daily"] == []
    assert await _digest_hour(office, clock, 1) >= 1

    owner_digest = [m for m in await _messages(office, owner) if m.event_type == "digest.daily"]
    assert {m.channel for m in owner_digest} == {"inapp", "email"}
    inapp = next(m for m in owner_digest if m.channel == "inapp")
    assert inapp.subject == "Daily case summary for 2026-12-01"
    # The owner's lines: both warnings, not the breach they were told about at once.
    assert "2026-000101 streetlight resolve due" in inapp.body
    assert "2026-000102 streetlight resolve due" in inapp.body
    assert "breached" not in inapp.body
    for official in (supervisor, desk):
        digests = [m for m in await _messages(office, official) if m.event_type == "digest.daily"]
        assert {m.channel for m in digests} == {"inapp", "email"}  # one message, two channels
        inbox = await _inbox(office, official)
        assert [m["event_type"] for m in inbox] == ["digest.daily"]
        body = inbox[0]["body"]
        # Three lines in one message: two warnings due and one breach.
        assert body.count("2026-000101") == 1 and body.count("2026-000102") == 2
        for line in (
            "2026-000101 streetlight resolve due",
            "2026-000102 streetlight resolve due",
            "2026-000102 streetlight resolve breached",
        ):
            assert line in body, body
    owner_inbox = [m for m in await _inbox(office, owner) if m["event_type"] == "digest.daily"]
    assert len(owner_inbox) == 1

    # The lines went out once: the next morning has nothing to send.
    await _digest_hour(office, clock, timedelta(days=1).total_seconds())
    for person in (owner, supervisor, desk):
        inbox = await _inbox(office, person)
        assert len([m for m in inbox if m["event_type"] == "digest.daily"]) == 1
