"""A district's rules over HTTP: tenant admins read and publish them, everyone else is refused,
a bad body is a 422 naming the field, and admins publishing at once get distinct versions."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_tickets.domain.tenant_rules import BUILT_IN_BODIES, RuleKind
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration

SHORT_POLICY: dict[str, Any] = {
    "targets": [
        {
            "category": "*",
            "priority": "*",
            "acknowledge_within_minutes": 30,
            "resolve_within_minutes": 60,
        }
    ]
}


def _fields(answer: httpx.Response) -> list[str]:
    return [e["field"] for e in answer.json().get("errors", [])]


async def test_a_district_starts_with_the_built_in_rules(
    api: httpx.AsyncClient, district: District
) -> None:
    admin = bearer(district.tenant, "tenant_admin")
    for kind in RuleKind:
        answer = await api.get(f"/v1/rules/{kind}", headers=admin)
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert found["current"]["version"] == 1 and found["current"]["published_at"] is None
        assert found["current"]["body"] == BUILT_IN_BODIES[kind]
        assert [v["version"] for v in found["versions"]] == [1]
        one = await api.get(f"/v1/rules/{kind}/1", headers=admin)
        assert one.json()["body"] == BUILT_IN_BODIES[kind]


async def test_publishing_numbers_the_next_version_and_announces_it(
    api: httpx.AsyncClient, district: District, tickets_ctx: TicketsContext
) -> None:
    subject = str(uuid.uuid4())
    admin = bearer(district.tenant, "tenant_admin", subject=subject)
    made = await api.post(
        "/v1/rules/sla_policy", json={**SHORT_POLICY, "version": 42}, headers=admin
    )
    assert made.status_code == 201, made.text
    assert made.json()["version"] == 2 and made.json()["published_by"] == subject
    again = await api.post("/v1/rules/sla_policy", json=SHORT_POLICY, headers=admin)
    assert again.json()["version"] == 3

    found = (await api.get("/v1/rules/sla_policy", headers=admin)).json()
    assert found["current"]["version"] == 3 and found["current"]["body"] == SHORT_POLICY
    assert [v["version"] for v in found["versions"]] == [1, 2, 3]
    assert found["versions"][1]["published_by"] == subject
    second = await api.get("/v1/rules/sla_policy/2", headers=admin)
    assert second.json()["body"] == SHORT_POLICY  # the body's own "version" is not kept
    assert (await api.get("/v1/rules/sla_policy/4", headers=admin)).status_code == 404
    # Other kinds are numbered on their own.
    formula = await api.post(
        "/v1/rules/evaluation_formula", json={"weights": {"response_rate": 1}}, headers=admin
    )
    assert formula.json()["version"] == 2

    async with tickets_ctx.uow(tenant_id=None) as uow:
        rows = await uow.session.execute(
            select(OUTBOX.c.headers, OUTBOX.c.payload)
            .where(OUTBOX.c.key == f"{district.tenant}/sla_policy")
            .order_by(OUTBOX.c.id)
        )
        announced = [
            (r.headers["ce_type"], events_pb2.RulesPublished.FromString(r.payload)) for r in rows
        ]
    assert [t for t, _ in announced] == ["civicgrid.tickets.v1.rules.published"] * 2
    assert [(m.kind, m.version, m.published_by) for _, m in announced] == [
        ("sla_policy", 2, subject),
        ("sla_policy", 3, subject),
    ]


async def test_only_tenant_admins_read_or_publish_rules(
    api: httpx.AsyncClient, district: District
) -> None:
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    for who in (bearer(district.tenant, "resident"), leader):
        assert (await api.get("/v1/rules/calendar", headers=who)).status_code == 403
        assert (await api.get("/v1/rules/calendar/1", headers=who)).status_code == 403
        refused = await api.post("/v1/rules/sla_policy", json=SHORT_POLICY, headers=who)
        assert refused.status_code == 403
    platform = bearer(district.tenant, "platform_admin")
    assert (await api.get("/v1/rules/calendar", headers=platform)).status_code == 200
    found = await api.get("/v1/rules/sla_policy", headers=bearer(district.tenant, "tenant_admin"))
    assert found.json()["current"]["version"] == 1  # nothing was published by the others


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("sla_policy", {"targets": [{"category": "*", "priority": "P9"}]}, "targets.0.priority"),
        ("sla_policy", {"targets": "soon"}, "targets"),
        (
            "calendar",
            {"timezone": "Asia/Shanghai", "hours": {"mon": [["18:00", "09:00"]]}},
            "hours.mon.0",
        ),
        ("calendar", {"timezone": "Nowhere/Special", "hours": {}}, "timezone"),
        ("evaluation_formula", {"weights": {"response_rate": -1}}, "weights.response_rate"),
        ("evaluation_formula", {"weights": {"response_rate": 1}, "min_samples": 3}, "min_samples"),
    ],
)
async def test_a_bad_body_is_refused_naming_the_field(
    api: httpx.AsyncClient, district: District, kind: str, body: dict[str, Any], field: str
) -> None:
    admin = bearer(district.tenant, "tenant_admin")
    refused = await api.post(f"/v1/rules/{kind}", json=body, headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert _fields(refused) == [field]
    assert (await api.get(f"/v1/rules/{kind}", headers=admin)).json()["current"]["version"] == 1


async def test_an_unknown_kind_is_not_found(api: httpx.AsyncClient, district: District) -> None:
    admin = bearer(district.tenant, "tenant_admin")
    assert (await api.get("/v1/rules/holidays", headers=admin)).status_code == 404
    assert (await api.get("/v1/rules/holidays/2", headers=admin)).status_code == 404
    posted = await api.post("/v1/rules/holidays", json=SHORT_POLICY, headers=admin)
    assert posted.status_code == 404 and _fields(posted) == ["kind"]


async def test_admins_publishing_at_once_get_distinct_versions(
    api: httpx.AsyncClient, district: District
) -> None:
    admins = [bearer(district.tenant, "tenant_admin") for _ in range(8)]
    answers = await asyncio.gather(
        *(api.post("/v1/rules/sla_policy", json=SHORT_POLICY, headers=a) for a in admins)
    )
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert sorted(a.json()["version"] for a in answers) == list(range(2, 10))
    found = await api.get("/v1/rules/sla_policy", headers=admins[0])
    assert found.json()["current"]["version"] == 9


async def test_a_retried_publication_is_not_published_twice(
    api: httpx.AsyncClient, district: District
) -> None:
    admin = {**bearer(district.tenant, "tenant_admin"), "Idempotency-Key": str(uuid.uuid4())}
    first = await api.post(
        "/v1/rules/calendar", json=BUILT_IN_BODIES[RuleKind.CALENDAR], headers=admin
    )
    retried = await api.post(
        "/v1/rules/calendar", json=BUILT_IN_BODIES[RuleKind.CALENDAR], headers=admin
    )
    assert first.status_code == retried.status_code == 201
    assert first.json()["version"] == retried.json()["version"] == 2
    found = await api.get("/v1/rules/calendar", headers=admin)
    assert [v["version"] for v in found.json()["versions"]] == [1, 2]
