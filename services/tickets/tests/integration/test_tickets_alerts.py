"""An elderly resident's emergency alert (notifications' alert.* events) becomes a P0 ticket in
their grid that follows the alert chain: acknowledged, in progress, resolved, with the chain's
steps on its timeline; drills and alerts without a ticket change nothing; one ticket per alert."""

# The ticket's words are Chinese, with the full-width punctuation Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.usecases import map_model
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.alerts_support import AlertChain, deliver
from services.tickets.tests.tickets_support import MONDAY_9, District, bearer

pytestmark = pytest.mark.integration


async def _alert_tickets(api: httpx.AsyncClient, tenant: str) -> list[dict[str, Any]]:
    answer = await api.get(
        "/v1/tickets", params={"category": "elderly_alert"}, headers=bearer(tenant, "city_officer")
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _only_ticket(api: httpx.AsyncClient, tenant: str) -> dict[str, Any]:
    [ticket] = await _alert_tickets(api, tenant)
    return ticket


async def _history(api: httpx.AsyncClient, tenant: str, ticket_id: str) -> list[dict[str, Any]]:
    answer = await api.get(
        f"/v1/tickets/{ticket_id}/history", headers=bearer(tenant, "city_officer")
    )
    assert answer.status_code == 200, answer.text
    entries: list[dict[str, Any]] = answer.json()
    return entries


async def _announced(ctx: TicketsContext, ticket_id: str, kind: str) -> list[bytes]:
    async with ctx.uow(tenant_id=None) as uow:
        rows = (
            await uow.session.execute(
                select(OUTBOX.c.headers, OUTBOX.c.payload).where(OUTBOX.c.key == ticket_id)
            )
        ).all()
    return [r.payload for r in rows if r.headers["ce_type"].endswith(kind)]


async def test_tickets_alert_raised_opens_one_p0_ticket_in_the_persons_grid(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    leader = uuid.uuid4()
    async with tickets_ctx.uow(tenant_id=uuid.UUID(district.tenant)) as uow:
        await map_model.remember_binding(
            uow,
            uuid.UUID(district.tenant),
            f"b-{uuid.uuid4()}",  # binding ids are global: never one another test uses
            str(leader),
            "grid_leader",
            str(district.grids[1]),
        )
        await uow.commit()
    alert = AlertChain(district, grid=1)
    raised = alert.raised(address="历下区文化东路 12 号 3 单元 501")

    await deliver(tickets_ctx, raised)
    # A redelivery or a replay of the raising (the same event, or published again) makes no
    # second ticket.
    await deliver(tickets_ctx, raised, alert.raised())

    ticket = await _only_ticket(api, district.tenant)
    assert (ticket["priority"], ticket["category"], ticket["channel"]) == (
        "P0",
        "elderly_alert",
        "elderly_alert",
    )
    assert (ticket["status"], ticket["level"]) == ("submitted", "grid")
    assert ticket["grid_id"] == ticket["owner_unit_id"] == str(district.grids[1])
    assert ticket["ancestor_ids"] == [
        str(district.community_of(1)),
        str(district.street),
        str(district.district),
    ]
    assert ticket["address"] == "历下区文化东路 12 号 3 单元 501"
    assert ticket["description"].startswith("独居老人紧急求助（一键呼叫按钮）")
    # Emergencies count every minute, from the press.
    assert ticket["created_at"].startswith("2026-11-30T01:00:00")
    assert ticket["acknowledge_due_at"].startswith("2026-11-30T01:15:00")
    # The person whose button it was is its reporter: it is among their own tickets.
    theirs = await api.get(
        "/v1/tickets", headers=bearer(district.tenant, "resident", subject=alert.person)
    )
    assert [t["id"] for t in theirs.json()["items"]] == [ticket["id"]]
    [assigned] = await _announced(tickets_ctx, ticket["id"], "ticket.assigned")
    assert list(ticket_events.TicketAssigned.FromString(assigned).owner_person_ids) == [str(leader)]
    [submitted] = await _history(api, district.tenant, ticket["id"])
    assert (submitted["action"], submitted["actor_id"]) == ("submit", "system")


async def test_tickets_alert_chain_moves_the_ticket_to_resolved_and_notes_its_steps(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    alert = AlertChain(district)
    await deliver(tickets_ctx, alert.raised(), alert.step_started(0, 0, "raised", 2))
    ticket_id = (await _only_ticket(api, district.tenant))["id"]

    await deliver(
        tickets_ctx,
        alert.escalated(0, 1),
        alert.step_started(2, 1, "no_acknowledgement", 5),
    )
    assert (await _only_ticket(api, district.tenant))["status"] == "submitted"

    await deliver(tickets_ctx, alert.acknowledged(4, name="王芳", via="sms"))
    assert (await _only_ticket(api, district.tenant))["status"] == "acknowledged"
    await deliver(tickets_ctx, alert.on_site(12))
    assert (await _only_ticket(api, district.tenant))["status"] == "in_progress"
    await deliver(tickets_ctx, alert.resolved(40, "helped_at_home", "扶起老人，无外伤"))
    assert (await _only_ticket(api, district.tenant))["status"] == "resolved"

    history = await _history(api, district.tenant, ticket_id)
    assert [(h["action"], h["to_status"]) for h in history] == [
        ("submit", "submitted"),
        ("alert_step_started", "submitted"),
        ("alert_escalated", "submitted"),
        ("alert_step_started", "submitted"),
        ("acknowledge", "acknowledged"),
        ("start", "in_progress"),
        ("resolve", "resolved"),
    ]
    assert {h["actor_id"] for h in history} == {"system"}
    escalated, acknowledged, on_site, resolved = history[2], *history[4:]
    assert escalated["note"] == "紧急求助升级：第0步 → 第1步（无人确认）"
    assert acknowledged["note"] == "王芳已通过短信回复确认接警"
    assert acknowledged["details"]["via"] == "sms"
    assert acknowledged["details"]["alert_id"] == alert.id
    assert acknowledged["at"].startswith("2026-11-30T01:04:00")
    assert on_site["note"] == "王芳已到达现场"
    assert resolved["note"] == "处置结果：已上门处置。扶起老人，无外伤"
    assert resolved["details"]["outcome"] == "helped_at_home"
    # Each move is announced like a person's step, with the system as the actor.
    changes = await _announced(tickets_ctx, ticket_id, "ticket.status_changed")
    moves = [ticket_events.TicketStatusChanged.FromString(c) for c in changes]
    assert [(m.to_status, m.actor_id) for m in moves] == [
        ("acknowledged", "system"),
        ("in_progress", "system"),
        ("resolved", "system"),
    ]


async def test_tickets_alert_resolved_at_once_walks_the_lifecycle_to_resolved(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    alert = AlertChain(district)
    await deliver(tickets_ctx, alert.raised(), alert.resolved(3, "false_alarm"))

    ticket = await _only_ticket(api, district.tenant)
    assert ticket["status"] == "resolved"
    history = await _history(api, district.tenant, ticket["id"])
    assert [(h["action"], h["note"]) for h in history[1:]] == [
        ("acknowledge", None),
        ("start", None),
        ("resolve", "处置结果：误报"),
    ]


async def test_tickets_alert_staff_ahead_of_the_chain_get_a_note_not_a_conflict(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    alert = AlertChain(district)
    await deliver(tickets_ctx, alert.raised())
    ticket = await _only_ticket(api, district.tenant)
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    for action in ("acknowledge", "start"):
        answer = await api.post(
            f"/v1/tickets/{ticket['id']}/actions", json={"action": action}, headers=leader
        )
        assert answer.status_code == 200, answer.text

    await deliver(tickets_ctx, alert.acknowledged(5))

    assert (await _only_ticket(api, district.tenant))["status"] == "in_progress"
    last = (await _history(api, district.tenant, ticket["id"]))[-1]
    assert (last["action"], last["from_status"], last["to_status"]) == (
        "alert_acknowledged",
        "in_progress",
        "in_progress",
    )


async def test_tickets_alert_drills_and_unknown_alerts_make_no_ticket(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    drill = AlertChain(district)
    await deliver(
        tickets_ctx,
        drill.raised(source="drill", drill=True),
        drill.acknowledged(1),
        drill.resolved(2, "drill_passed"),
    )
    # The chain of an alert raised before tickets listened (or replayed out of order).
    unknown = AlertChain(district)
    await deliver(tickets_ctx, unknown.escalated(0, 1), unknown.on_site(3))

    assert await _alert_tickets(api, district.tenant) == []


async def test_tickets_alert_without_a_known_grid_still_finds_its_owners(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    # A grid tickets' copy of the map does not hold yet: the ticket lands in it all the same.
    fresh_grid = str(uuid.uuid4())
    await deliver(tickets_ctx, AlertChain(district, grid_id=fresh_grid).raised())
    # No grid at all: unplaced, like any report without a place, it waits at city level.
    later = AlertChain(district, grid=None, raised_at=MONDAY_9 + timedelta(minutes=1))
    await deliver(tickets_ctx, later.raised(address="某小区"))

    unplaced, in_fresh_grid = await _alert_tickets(api, district.tenant)  # newest first
    assert (in_fresh_grid["grid_id"], in_fresh_grid["level"]) == (fresh_grid, "grid")
    assert in_fresh_grid["owner_unit_id"] == fresh_grid
    assert (unplaced["grid_id"], unplaced["level"], unplaced["owner_unit_id"]) == (
        None,
        "city",
        None,
    )
    assert unplaced["priority"] == "P0"


async def test_tickets_alert_is_p0_in_a_district_that_retired_the_category(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    admin = bearer(district.tenant, "tenant_admin")
    retired = await api.delete("/v1/categories/elderly_alert", headers=admin)
    assert retired.status_code == 204, retired.text
    tickets_ctx.catalogues.forget(uuid.UUID(district.tenant))

    await deliver(tickets_ctx, AlertChain(district, grid=2).raised())

    ticket = await _only_ticket(api, district.tenant)
    assert (ticket["priority"], ticket["grid_id"]) == ("P0", str(district.grids[2]))


async def test_tickets_alert_ticket_lands_only_in_the_alerts_district(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District
) -> None:
    other = District()
    await other.feed(tickets_ctx.uow)
    await deliver(tickets_ctx, AlertChain(district).raised())

    assert len(await _alert_tickets(api, district.tenant)) == 1
    assert await _alert_tickets(api, other.tenant) == []
    # An event whose payload names another district is refused (and dead-lettered).
    confused = AlertChain(other).raised()
    confused.message.alert.tenant_id = district.tenant  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="tenant"):
        await deliver(tickets_ctx, confused)
    assert await _alert_tickets(api, other.tenant) == []
