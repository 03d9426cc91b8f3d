"""One district's rules are its own, twice over: the code asks for the token's tenant only, and
PostgreSQL's row-level security shows a transaction the rows of the tenant it is bound to."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest

from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.rls import assert_tenant_tables_protected
from civicgrid_tickets.db.rules_repo import RulesRepository
from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR_BODY
from civicgrid_tickets.domain.tenant_rules import BUILT_IN, RuleKind
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.rules_book import UnknownRuleVersion
from services.tickets.tests.tickets_support import MONDAY_9, District, SettableClock, bearer

pytestmark = pytest.mark.integration

HALF_HOUR = {
    "targets": [
        {
            "category": "*",
            "priority": "*",
            "acknowledge_within_minutes": 30,
            "resolve_within_minutes": 60,
        }
    ]
}
TUESDAY_OFF = {**DEFAULT_CALENDAR_BODY, "holidays": ["2026-12-01"]}


@pytest.fixture
async def neighbour(tickets_ctx: TicketsContext) -> District:
    other = District()
    await other.feed(tickets_ctx.uow)
    return other


@pytest.fixture
async def published(api: httpx.AsyncClient, district: District) -> District:
    """`district` with its own SLA policy and calendar (version 2 of each)."""
    admin = bearer(district.tenant, "tenant_admin")
    for kind, body in (("sla_policy", HALF_HOUR), ("calendar", TUESDAY_OFF)):
        made = await api.post(f"/v1/rules/{kind}", json=body, headers=admin)
        assert made.status_code == 201, made.text
    return district


async def test_another_district_never_sees_the_rules_over_http(
    api: httpx.AsyncClient, published: District, neighbour: District
) -> None:
    theirs = bearer(neighbour.tenant, "tenant_admin")
    for kind in ("sla_policy", "calendar"):
        found = (await api.get(f"/v1/rules/{kind}", headers=theirs)).json()
        assert found["current"]["version"] == 1
        assert [v["version"] for v in found["versions"]] == [1]
        assert (await api.get(f"/v1/rules/{kind}/2", headers=theirs)).status_code == 404
    mine = bearer(published.tenant, "tenant_admin")
    assert (await api.get("/v1/rules/calendar", headers=mine)).json()["current"]["version"] == 2


async def test_another_district_never_works_by_them(
    timed_api: httpx.AsyncClient,
    timed: TicketsContext,
    published: District,
    neighbour: District,
    clock: SettableClock,
) -> None:
    lat, lon = neighbour.inside(0)
    reported = await timed_api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "坑", "lat": lat, "lon": lon},
        headers=bearer(neighbour.tenant, "resident"),
    )
    assert reported.status_code == 201, reported.text
    clock.at = MONDAY_9 + timedelta(hours=1)
    leader = bearer(
        neighbour.tenant, "grid_leader", bindings=(("grid_leader", str(neighbour.grids[0])),)
    )
    climbed = await timed_api.post(
        f"/v1/tickets/{reported.json()['id']}/actions",
        json={"action": "escalate", "reason_code": "big"},
        headers=leader,
    )
    # The built-in calendar: Tuesday is a working day here, so Thursday 10:00, not Friday.
    assert climbed.json()["resolve_due_at"] == "2026-12-03T02:00:00Z"
    # The process's book holds the first district's version 2 by now; the neighbour's lookups
    # still find none of it.
    tenant = uuid.UUID(neighbour.tenant)
    async with timed.uow(tenant_id=tenant) as uow:
        assert await timed.rules.current(uow.session, tenant) == BUILT_IN
        with pytest.raises(UnknownRuleVersion):
            await timed.rules.policy(uow.session, tenant, 2)


async def test_the_repository_filters_by_tenant_even_where_the_database_would_not(
    tickets_ctx: TicketsContext, published: District, neighbour: District
) -> None:
    owner = uuid.UUID(published.tenant)
    # A transaction bound to the owner, which row-level security lets see the owner's rows,
    # asked on the neighbour's behalf: the query's own filter answers nothing.
    async with tickets_ctx.uow(tenant_id=owner) as uow:
        assert set(await RulesRepository(uow.session, owner).latest()) == {
            RuleKind.SLA_POLICY,
            RuleKind.CALENDAR,
        }
        strangers = RulesRepository(uow.session, uuid.UUID(neighbour.tenant))
        assert await strangers.latest() == {}
        assert await strangers.get(RuleKind.SLA_POLICY, 2) is None
        assert await strangers.versions(RuleKind.CALENDAR) == []


async def test_row_level_security_hides_and_refuses_another_districts_rules(
    tickets_db: ServiceDatabase, published: District, neighbour: District
) -> None:
    await assert_tenant_tables_protected(tickets_db.owner_dsn, ["tenant_rules"], [])
    connection = await asyncpg.connect(tickets_db.runtime_dsn)
    bind = "SELECT set_config('app.tenant_id', $1, true)"
    count = "SELECT count(*) FROM tenant_rules"
    try:
        async with connection.transaction():
            await connection.execute(bind, published.tenant)
            assert await connection.fetchval(count) == 2
        async with connection.transaction():
            await connection.execute(bind, neighbour.tenant)
            assert await connection.fetchval(count) == 0
        assert await connection.fetchval(count) == 0  # nothing bound
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with connection.transaction():
                await connection.execute(bind, neighbour.tenant)
                await connection.execute(
                    "INSERT INTO tenant_rules VALUES ($1, 'sla_policy', 9, '{}', now(), 'x')",
                    uuid.UUID(published.tenant),
                )
    finally:
        await connection.close()


async def test_a_published_version_is_never_changed_or_deleted(
    tickets_db: ServiceDatabase, published: District
) -> None:
    connection = await asyncpg.connect(tickets_db.runtime_dsn)
    try:
        for statement in (
            "UPDATE tenant_rules SET body = '{}' WHERE kind = 'sla_policy'",
            "DELETE FROM tenant_rules WHERE kind = 'calendar'",
        ):
            with pytest.raises(asyncpg.RestrictViolationError):
                async with connection.transaction():
                    bind = "SELECT set_config('app.tenant_id', $1, true)"
                    await connection.execute(bind, published.tenant)
                    await connection.execute(statement)
    finally:
        await connection.close()
