"""Working a ticket over HTTP: who may take which step, from which state, and what is kept."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration


async def _report(api: httpx.AsyncClient, district: District, resident: str) -> dict[str, object]:
    lat, lon = district.inside(0)
    answer = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "井盖缺失", "lat": lat, "lon": lon},
        headers=bearer(district.tenant, "resident", subject=resident),
    )
    assert answer.status_code == 201, answer.text
    ticket: dict[str, object] = answer.json()
    return ticket


def _step(action: str, **extra: object) -> dict[str, object]:
    return {"action": action, **extra}


async def test_a_ticket_from_report_to_rating_and_the_refusals_on_the_way(
    api: httpx.AsyncClient, district: District
) -> None:
    resident = str(uuid.uuid4())
    me = bearer(district.tenant, "resident", subject=resident)
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    elsewhere = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[3])),)
    )
    ticket = await _report(api, district, resident)
    url = f"/v1/tickets/{ticket['id']}/actions"

    async def step(headers: dict[str, str], action: str, **extra: object) -> httpx.Response:
        return await api.post(url, json=_step(action, **extra), headers=headers)

    assert (await step(me, "acknowledge")).status_code == 403
    assert (await step(elsewhere, "acknowledge")).status_code == 404  # not theirs to see
    assert (await step(leader, "resolve", note="done")).status_code == 409
    assert (await step(leader, "acknowledge")).json()["status"] == "acknowledged"
    assert (await step(leader, "acknowledge")).status_code == 409
    assert (await step(leader, "start")).json()["status"] == "in_progress"
    assert (await step(leader, "request_info")).status_code == 422  # the question is required
    asked = await step(leader, "request_info", note="具体在几号楼?")
    assert asked.json()["status"] == "waiting_on_resident"
    assert (await step(me, "provide_info", note="5号楼")).json()["status"] == "in_progress"
    assert (await step(leader, "resolve", note="已更换井盖")).json()["status"] == "resolved"
    assert (await step(leader, "confirm")).status_code == 403
    assert (await step(me, "rate", rating=6)).status_code == 422
    assert (await step(me, "confirm")).json()["status"] == "closed"
    rated = await step(me, "rate", rating=5, note="很及时")
    assert rated.status_code == 200 and rated.json()["rating"] == 5

    history = (await api.get(f"/v1/tickets/{ticket['id']}/history", headers=me)).json()
    assert [h["action"] for h in history] == [
        "submit",
        "acknowledge",
        "start",
        "request_info",
        "provide_info",
        "resolve",
        "confirm",
        "rate",
    ]
    assert history[3]["note"] == "具体在几号楼?" and history[5]["details"]["acting_as"] == "owner"

    other_district = bearer(str(uuid.uuid4()), "tenant_admin")
    assert (await step(other_district, "comment", note="x")).status_code == 404
    assert (await api.get(f"/v1/tickets/{ticket['id']}", headers=other_district)).status_code == 404
    stranger = bearer(district.tenant, "resident")
    assert (await api.get(f"/v1/tickets/{ticket['id']}", headers=stranger)).status_code == 404


async def test_escalation_hands_the_ticket_to_the_community_and_its_staff_take_over(
    api: httpx.AsyncClient, district: District
) -> None:
    ticket = await _report(api, district, str(uuid.uuid4()))
    url = f"/v1/tickets/{ticket['id']}/actions"
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    community = bearer(
        district.tenant,
        "community_staff",
        bindings=(("community_staff", str(district.communities[0])),),
    )
    assert (await api.post(url, json=_step("escalate"), headers=leader)).status_code == 422
    up = await api.post(url, json=_step("escalate", reason_code="needs_budget"), headers=leader)
    assert up.status_code == 200, up.text
    assert (up.json()["level"], up.json()["owner_unit_id"]) == (
        "community",
        str(district.communities[0]),
    )
    # The grid leader no longer owns it; the community's staff do.
    assert (await api.post(url, json=_step("acknowledge"), headers=leader)).status_code == 404
    taken = await api.post(url, json=_step("acknowledge"), headers=community)
    assert taken.json()["status"] == "acknowledged"
    history = (await api.get(f"/v1/tickets/{ticket['id']}/history", headers=community)).json()
    assert history[1]["details"]["reason_code"] == "needs_budget"
    assert history[1]["details"]["level"] == "community"


async def test_a_tenant_admin_transfers_a_misrouted_ticket_with_a_reason(
    api: httpx.AsyncClient, district: District
) -> None:
    ticket = await _report(api, district, str(uuid.uuid4()))
    url = f"/v1/tickets/{ticket['id']}/actions"
    admin = bearer(district.tenant, "tenant_admin")
    moved = await api.post(
        url,
        json=_step("transfer", reason_code="wrong_grid", to_unit_id=str(district.street)),
        headers=admin,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["level"], moved.json()["status"]) == ("street", "submitted")
    foreign = await api.post(
        url,
        json=_step("transfer", reason_code="wrong_grid", to_unit_id=str(uuid.uuid4())),
        headers=admin,
    )
    assert foreign.status_code == 422 and "to_unit_id" in foreign.text


async def test_a_merged_duplicate_follows_its_original_and_its_reporter_hears_the_outcome(
    api: httpx.AsyncClient, district: District
) -> None:
    first_reporter, second_reporter = str(uuid.uuid4()), str(uuid.uuid4())
    original = await _report(api, district, first_reporter)
    duplicate = await _report(api, district, second_reporter)
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )

    async def step(ticket: dict[str, object], action: str, **extra: object) -> httpx.Response:
        return await api.post(
            f"/v1/tickets/{ticket['id']}/actions", json=_step(action, **extra), headers=leader
        )

    merged = await step(duplicate, "merge", merge_target=original["id"])
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == original["id"]
    assert (await step(duplicate, "merge", merge_target=str(uuid.uuid4()))).status_code == 409
    for action, extra in (("acknowledge", {}), ("start", {}), ("resolve", {"note": "已修复"})):
        assert (await step(original, action, **extra)).status_code == 200

    theirs = bearer(district.tenant, "resident", subject=second_reporter)
    history = (await api.get(f"/v1/tickets/{duplicate['id']}/history", headers=theirs)).json()
    assert [h["action"] for h in history][-2:] == ["merge", "original_resolved"]
    assert history[-1]["note"] == "已修复"
    assert history[-1]["details"]["original_id"] == original["id"]
