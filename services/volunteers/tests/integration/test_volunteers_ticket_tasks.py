"""Ticket categories that need volunteers: the tenant admin maps a category to a task, and each
ticket reported in it (tickets' ticket.created, consumed through the inbox) becomes one task at
the ticket's place, however often the event comes. Other categories, tickets without a place
and other districts make none."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka.structs import ConsumerRecord
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from civicgrid.common.v1 import common_pb2
from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid.tickets.v1 import tickets_service_pb2 as tickets_pb
from civicgrid_platform.events.cloudevents import IncomingEvent, OutgoingEvent
from civicgrid_platform.events.handling import BatchApplier, Outcome, Work
from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.rls import assert_tenant_tables_protected
from civicgrid_volunteers.db.plans_repo import TicketTaskRulesRepository
from civicgrid_volunteers.db.tables_plans import PLAN_TENANT_TABLES
from civicgrid_volunteers.events.incoming import CONSUMER_GROUP, HANDLERS, TICKETS_TOPIC, TOPICS
from civicgrid_volunteers.usecases import ticket_tasks
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import District, near, outbox

pytestmark = pytest.mark.integration

POTHOLE_RULE = {
    "kind": "quality_supervision",
    "title": "Check the repair of {number} ({category})",
    "skills": [{"code": "inspection", "min_level": 2}],
    "volunteers_needed": 2,
    "hours": 1.5,
    "urgency": "high",
    "starts_after_hours": 2,
}


def _ticket(
    category: str,
    *,
    located: bool = True,
    reported_at: datetime | None = None,
    at: tuple[float, float] | None = None,
) -> tickets_pb.Ticket:
    ticket = tickets_pb.Ticket(
        id=str(uuid.uuid4()),
        number=f"2026-{uuid.uuid4().int % 1_000_000:06d}",
        category=category,
        description="Deep hole by the school gate",
        address="12 Quancheng Road",
        grid_id=str(uuid.uuid4()),
    )
    if located:
        lat, lon = at or near(200, 100)
        ticket.location.CopyFrom(common_pb2.GeoPoint(lat=lat, lon=lon))
    created = Timestamp()
    created.FromDatetime(reported_at or datetime.now(UTC))
    ticket.created_at.CopyFrom(created)
    return ticket


def _record(tenant: uuid.UUID, ticket: tickets_pb.Ticket) -> ConsumerRecord[bytes, bytes]:
    """ticket.created as the tickets service's relay puts it on Kafka (a new event id)."""
    event = OutgoingEvent(
        type=f"{TICKETS_TOPIC}.ticket.created",
        source="/civicgrid/tickets",
        tenant_id=tenant,
        key=ticket.id,
        topic=TICKETS_TOPIC,
        message=ticket_events.TicketCreated(ticket=ticket),
    )
    payload = event.message.SerializeToString()
    headers = [(k, v.encode()) for k, v in event.headers().items()]
    return ConsumerRecord(
        TICKETS_TOPIC, 0, 0, 0, 0, ticket.id.encode(), payload, None, 36, len(payload), headers
    )


async def _consume(ctx: VolunteersContext, *records: ConsumerRecord[bytes, bytes]) -> Outcome:
    """One polled batch through volunteers' consumer: inbox row and handler in one
    transaction, as the consumer component runs it."""
    work = []
    for index, record in enumerate(records):
        event = IncomingEvent.from_record(record)
        work.append(Work(index, record, event, HANDLERS[event.type]))
    return await BatchApplier(ctx.uow, CONSUMER_GROUP).apply(work, {}, isolate=False)


async def _ticket_tasks(api: httpx.AsyncClient, district: District) -> list[dict[str, Any]]:
    found = await api.get("/v1/tasks?limit=100", headers=district.staff())
    assert found.status_code == 200, found.text
    return [t for t in found.json()["items"] if t["source"] == "ticket"]


async def _map(api: httpx.AsyncClient, district: District, category: str, **rule: Any) -> None:
    answer = await api.put(
        f"/v1/ticket-task-rules/{category}", json=POTHOLE_RULE | rule, headers=district.admin()
    )
    assert answer.status_code == 200, answer.text


def test_volunteers_consume_tickets_ticket_created() -> None:
    assert TICKETS_TOPIC in TOPICS and "civicgrid.identity.v1" in TOPICS
    assert f"{TICKETS_TOPIC}.ticket.created" in HANDLERS


async def test_a_ticket_in_a_mapped_category_becomes_one_task_however_often_it_comes(
    api: httpx.AsyncClient, district: District, volunteers_ctx: VolunteersContext
) -> None:
    await _map(api, district, "pothole")
    rule = await api.get("/v1/ticket-task-rules/pothole", headers=district.staff())
    assert rule.status_code == 200
    assert {k: rule.json()[k] for k in POTHOLE_RULE} == POTHOLE_RULE | {
        "skills": [{"code": "inspection", "min_level": 2}]
    }
    reported = datetime.now(UTC).replace(microsecond=0)
    ticket = _ticket("pothole", reported_at=reported)
    record = _record(district.tenant_id, ticket)

    first = await _consume(volunteers_ctx, record)
    again = await _consume(volunteers_ctx, record)  # redelivered: the inbox knows it
    # Published again under a new event id, in a batch with another ticket: the task's source
    # key knows it, and the batch's other work stands.
    neighbour = _ticket("pothole")
    republished = await _consume(
        volunteers_ctx,
        _record(district.tenant_id, ticket),
        _record(district.tenant_id, neighbour),
    )
    assert (first.processed, again.duplicates, republished.processed) == (1, 1, 2)

    made = await _ticket_tasks(api, district)
    assert sorted(t["source_ref"] for t in made) == sorted([ticket.id, neighbour.id])
    [task] = [t for t in made if t["source_ref"] == ticket.id]
    assert task["source_ref"] == ticket.id
    assert task["title"] == f"Check the repair of {ticket.number} (pothole)"
    assert task["kind"] == "quality_supervision" and task["status"] == "open"
    assert datetime.fromisoformat(task["starts_at"]) == reported + timedelta(hours=2)
    assert datetime.fromisoformat(task["ends_at"]) == reported + timedelta(hours=3, minutes=30)
    assert (task["lat"], task["lon"]) == pytest.approx(near(200, 100))
    assert task["grid_id"] == ticket.grid_id
    assert task["description"] == "12 Quancheng Road\n\nDeep hole by the school gate"
    assert task["skills"] == [{"code": "inspection", "min_level": 2}]
    assert (task["volunteers_needed"], task["urgency"]) == (2, "high")
    assert len(await outbox(volunteers_ctx.uow, district.tenant_id, "task.created")) == 2


async def test_two_deliveries_racing_for_one_ticket_make_one_task(
    district: District, volunteers_ctx: VolunteersContext
) -> None:
    """The unique source key settles a race neither delivery could see: the loser makes no
    task, and the rest of its transaction still commits."""
    lat, lon = near()
    starts = datetime.now(UTC) + timedelta(hours=1)
    fields = {
        "kind": "escort",
        "title": "Escort",
        "lat": lat,
        "lon": lon,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=1),
        "volunteers_needed": 1,
        "urgency": "normal",
        "source": "ticket",
        "source_ref": str(uuid.uuid4()),
    }
    other = fields | {"source_ref": str(uuid.uuid4())}
    tenant = district.tenant_id
    async with volunteers_ctx.uow(tenant_id=tenant) as winner:
        assert await ticket_tasks.add_task_once(winner, tenant, fields) is not None
        async with volunteers_ctx.uow(tenant_id=tenant) as loser:
            assert await ticket_tasks.add_task_once(loser, tenant, other) is not None
            racing = asyncio.create_task(ticket_tasks.add_task_once(loser, tenant, fields))
            await asyncio.sleep(0.3)  # the loser's insert waits on the winner's key
            assert not racing.done()
            await winner.commit()
            assert await racing is None
            await loser.commit()
    async with volunteers_ctx.uow(tenant_id=tenant) as uow:
        refs = (
            await uow.session.execute(
                text("SELECT source_ref FROM tasks WHERE tenant_id = :t"), {"t": tenant}
            )
        ).scalars()
        assert sorted(refs) == sorted([fields["source_ref"], other["source_ref"]])


async def test_other_categories_tickets_without_a_usable_place_and_old_reports_make_no_task(
    api: httpx.AsyncClient, district: District, volunteers_ctx: VolunteersContext
) -> None:
    await _map(api, district, "pothole")
    long_ago = datetime.now(UTC) - timedelta(days=3)
    outcome = await _consume(
        volunteers_ctx,
        _record(district.tenant_id, _ticket("graffiti")),
        _record(district.tenant_id, _ticket("pothole", located=False)),
        _record(district.tenant_id, _ticket("pothole", at=(-90.0, 0.0))),
        _record(district.tenant_id, _ticket("pothole", reported_at=long_ago)),
    )
    assert outcome.processed == 4 and outcome.dead == []
    assert await _ticket_tasks(api, district) == []

    # Unmapped again: the category's tickets need nobody from now on.
    gone = await api.delete("/v1/ticket-task-rules/pothole", headers=district.admin())
    assert gone.status_code == 204
    path = "/v1/ticket-task-rules/pothole"
    assert (await api.get(path, headers=district.staff())).status_code == 404
    assert (await api.delete(path, headers=district.admin())).status_code == 404
    await _consume(volunteers_ctx, _record(district.tenant_id, _ticket("pothole")))
    assert await _ticket_tasks(api, district) == []
    assert (await api.get("/v1/ticket-task-rules", headers=district.staff())).json() == []


async def test_a_rule_replaced_applies_to_the_next_ticket(
    api: httpx.AsyncClient, district: District, volunteers_ctx: VolunteersContext
) -> None:
    await _map(api, district, "pothole")
    await _map(api, district, "pothole", title="Escort at {number}", kind="escort", hours=1)
    rules = (await api.get("/v1/ticket-task-rules", headers=district.staff())).json()
    assert [(r["category"], r["kind"], r["hours"]) for r in rules] == [("pothole", "escort", 1.0)]
    ticket = _ticket("pothole")
    await _consume(volunteers_ctx, _record(district.tenant_id, ticket))
    [task] = await _ticket_tasks(api, district)
    assert task["title"] == f"Escort at {ticket.number}" and task["kind"] == "escort"


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [e["field"] for e in answer.json().get("errors", [])]


@pytest.mark.parametrize(
    ("path", "change", "field"),
    [
        ("pothole", {"title": "Fix {nope}"}, "title"),
        ("pothole", {"title": "Fix {number"}, "title"),
        ("pothole", {"kind": "babysitting"}, "kind"),
        ("pothole", {"hours": 0}, "body.hours"),
        ("pothole", {"hours": 0.001}, "hours"),
        ("pothole", {"hours": 25}, "body.hours"),
        ("pothole", {"starts_after_hours": -1}, "body.starts_after_hours"),
        ("pothole", {"urgency": "whenever"}, "body.urgency"),
        ("pothole", {"volunteers_needed": 0}, "body.volunteers_needed"),
        ("pothole", {"skills": [{"code": "care"}, {"code": "care"}]}, "skills"),
        ("pothole", {"colour": "red"}, "body.colour"),
        ("Pot Hole", {}, "path.category"),
    ],
)
async def test_a_bad_rule_is_a_problem_naming_the_field(
    api: httpx.AsyncClient, district: District, path: str, change: dict[str, Any], field: str
) -> None:
    answer = await api.put(
        f"/v1/ticket-task-rules/{path}", json=POTHOLE_RULE | change, headers=district.admin()
    )
    assert answer.status_code == 422, answer.text
    assert field in _fields(answer), answer.text


async def test_only_the_tenant_admin_maps_categories_and_staff_read_them(
    api: httpx.AsyncClient, district: District
) -> None:
    path = "/v1/ticket-task-rules/pothole"
    for who in (district.staff(), district.person()):
        assert (await api.put(path, json=POTHOLE_RULE, headers=who)).status_code == 403
    await _map(api, district, "pothole")
    for who in (district.staff(), district.person()):
        assert (await api.delete(path, headers=who)).status_code == 403
    assert (await api.get(path, headers=district.person())).status_code == 403
    assert (await api.get("/v1/ticket-task-rules", headers=district.person())).status_code == 403
    assert (await api.get(path, headers=district.staff())).status_code == 200


async def test_another_district_s_rules_neither_show_nor_apply(
    api: httpx.AsyncClient,
    district: District,
    volunteers_ctx: VolunteersContext,
    volunteers_db: ServiceDatabase,
) -> None:
    await _map(api, district, "pothole")
    other = District()
    path = "/v1/ticket-task-rules/pothole"
    assert (await api.get(path, headers=other.admin())).status_code == 404
    assert (await api.delete(path, headers=other.admin())).status_code == 404
    assert (await api.get("/v1/ticket-task-rules", headers=other.staff())).json() == []
    # The other district's pothole tickets need no volunteers: it has no rule.
    await _consume(volunteers_ctx, _record(other.tenant_id, _ticket("pothole")))
    assert await _ticket_tasks(api, other) == []
    assert (await api.get(path, headers=district.staff())).status_code == 200

    # Row-level security alone: a query naming the first district from a transaction bound to
    # another finds and changes nothing.
    await assert_tenant_tables_protected(volunteers_db.owner_dsn, PLAN_TENANT_TABLES, ())
    async with volunteers_ctx.uow(tenant_id=other.tenant_id) as uow:
        assert (
            await TicketTaskRulesRepository(uow.session, district.tenant_id).get("pothole") is None
        )
        touched = await uow.session.execute(
            text("UPDATE ticket_task_rules SET minutes = 1 RETURNING category")
        )
        assert touched.first() is None
        await uow.commit()
    async with volunteers_ctx.uow(tenant_id=district.tenant_id) as uow:
        rule = await TicketTaskRulesRepository(uow.session, district.tenant_id).get("pothole")
        assert rule is not None and rule.minutes == 90
