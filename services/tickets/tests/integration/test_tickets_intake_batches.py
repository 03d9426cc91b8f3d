"""Reports that arrive together are taken in one batch (one transaction per district): each
still gets its own ticket, number, owner and answer, and one bad report never fails the rest."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

import pytest
from sqlalchemy import text

from civicgrid.grid.v1 import grid_service_pb2 as grid_pb
from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.geo import cell_of
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.usecases import map_model
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.intake import (
    Intake,
    Report,
    create_ticket,
    intake_batcher,
    take_reports,
)
from services.tickets.tests.tickets_support import District

pytestmark = pytest.mark.integration


class CountingBatches:
    """The production batcher around take_reports, remembering the size of every call."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.batcher = intake_batcher(self._take)

    async def _take(self, reports: Sequence[Report]) -> list[Intake | Exception]:
        self.sizes.append(len(reports))
        return await take_reports(reports[0].ctx, reports)


@pytest.fixture
async def counted(
    tickets_ctx: TicketsContext,
) -> AsyncIterator[tuple[TicketsContext, CountingBatches]]:
    batches = CountingBatches()
    yield replace(tickets_ctx, intake_batches=batches.batcher), batches
    await batches.batcher.aclose()


def _report(district: District, n: int, **extra: object) -> Submission:
    lat, lon = district.inside(n % 4)
    values: dict[str, object] = {
        "channel": "web",
        "category": "roads",
        "description": f"第{n}处路面破损",
        "lat": lat + 0.0005 * (n // 4),
        "lon": lon,
        "reporter_person_id": uuid.uuid4(),
    }
    return Submission(**(values | extra))  # type: ignore[arg-type]


async def _all(ctx: TicketsContext, tenant: str, reports: list[Submission]) -> list[object]:
    tenant_id = uuid.UUID(tenant)
    return await asyncio.gather(
        *(create_ticket(ctx, tenant_id, None, r) for r in reports), return_exceptions=True
    )


async def test_reports_arriving_together_share_a_batch_and_each_gets_its_own_ticket(
    counted: tuple[TicketsContext, CountingBatches], district: District
) -> None:
    ctx, batches = counted
    answers = await _all(ctx, district.tenant, [_report(district, n) for n in range(40)])
    tickets = [a.ticket for a in answers if isinstance(a, Intake)]
    assert len(tickets) == 40
    assert max(batches.sizes) > 1 and sum(batches.sizes) == 40
    numbers = sorted(int(t.number.rsplit("-", 1)[1]) for t in tickets)
    assert numbers == list(range(1, 41))  # consecutive, none twice, none lost
    for n, t in enumerate(tickets):
        assert t.grid_id == district.grids[n % 4] and t.level == "grid"
        assert t.description == f"第{n}处路面破损"
    async with ctx.uow(tenant_id=uuid.UUID(district.tenant)) as uow:
        stored = await uow.session.scalar(text("SELECT count(*) FROM tickets"))
        timers = await uow.session.scalar(text("SELECT count(*) FROM sla_timers"))
        events = await uow.session.scalar(
            text("SELECT count(*) FROM event_outbox WHERE key = ANY(:ids)"),
            {"ids": [str(t.id) for t in tickets]},
        )
    assert stored == 40 and timers >= 40 and events == 40 * 3


async def test_a_bad_report_in_a_batch_is_refused_alone(
    counted: tuple[TicketsContext, CountingBatches], district: District
) -> None:
    ctx, batches = counted
    reports = [_report(district, n) for n in range(10)]
    reports[4] = _report(district, 4, category="no_such_thing")
    reports[7] = _report(district, 7, category="elevator")  # its required attribute is missing
    answers = await _all(ctx, district.tenant, reports)
    assert isinstance(answers[4], InvalidInput) and answers[4].field == "category"
    assert isinstance(answers[7], InvalidInput)
    assert answers[7].field == "attributes.people_trapped"
    made = [a for a in answers if isinstance(a, Intake)]
    assert len(made) == 8 and max(batches.sizes) > 1


async def test_one_submission_twice_in_a_batch_makes_one_ticket(
    counted: tuple[TicketsContext, CountingBatches], district: District
) -> None:
    ctx, _ = counted
    key = f"retry-{uuid.uuid4()}"
    twice = [_report(district, 0, idempotency_key=key)] * 2
    answers = await _all(ctx, district.tenant, [*twice, _report(district, 1)])
    first, second, other = answers
    assert isinstance(first, Intake) and isinstance(second, Intake), answers
    assert first.ticket.id == second.ticket.id and isinstance(other, Intake)
    async with ctx.uow(tenant_id=uuid.UUID(district.tenant)) as uow:
        count = await uow.session.scalar(
            text("SELECT count(*) FROM tickets WHERE idempotency_key = :key"), {"key": key}
        )
    assert count == 1


async def test_reports_of_one_problem_in_one_batch_suggest_each_other(
    counted: tuple[TicketsContext, CountingBatches], district: District
) -> None:
    ctx, batches = counted
    same = _report(district, 0, description="小区门口路灯不亮了", category="lighting")
    answers = await _all(
        ctx, district.tenant, [same, replace(same, reporter_person_id=uuid.uuid4())]
    )
    first, second = answers
    assert isinstance(first, Intake) and isinstance(second, Intake)
    assert batches.sizes == [2]  # they were stored together, neither before the other
    assert [s.ticket_id for s in second.duplicates] == [str(first.ticket.id)]


async def test_two_districts_reporting_at_once_stay_apart(
    counted: tuple[TicketsContext, CountingBatches], tickets_ctx: TicketsContext
) -> None:
    ctx, batches = counted
    north, south = District(), District()
    await north.feed(tickets_ctx.uow)
    await south.feed(tickets_ctx.uow)
    waves = await asyncio.gather(
        _all(ctx, north.tenant, [_report(north, n) for n in range(6)]),
        _all(ctx, south.tenant, [_report(south, n) for n in range(6)]),
    )
    for district, answers in zip((north, south), waves, strict=True):
        tickets = [a.ticket for a in answers if isinstance(a, Intake)]
        assert len(tickets) == 6
        assert {str(t.tenant_id) for t in tickets} == {district.tenant}
        assert {t.grid_id for t in tickets} <= set(district.grids)
        assert sorted(t.number[-6:] for t in tickets) == [f"{n:06d}" for n in range(1, 7)]
    assert sum(batches.sizes) == 12


async def test_a_department_category_goes_to_the_department_nearest_the_report(
    counted: tuple[TicketsContext, CountingBatches], district: District
) -> None:
    ctx, _ = counted
    tenant = uuid.UUID(district.tenant)
    city_wide, local = uuid.uuid4(), uuid.uuid4()
    async with ctx.uow(tenant_id=tenant) as uow:
        for department, units in ((city_wide, []), (local, [district.communities[1]])):
            message = grid_pb.Department(
                id=str(department),
                tenant_id=district.tenant,
                name=f"热力公司 {department}",
                categories=["heating"],
                jurisdiction_unit_ids=[str(u) for u in units],
            )
            await map_model.remember_department(uow, tenant, message, deleted=False)
        await uow.commit()
    reports = [
        _report(district, 0, category="heating"),  # community 0: only the district-wide one
        _report(district, 3, category="heating"),  # community 1: its own department
        _report(district, 2),  # roads stay with the grid
    ]
    answers = await _all(ctx, district.tenant, reports)
    owners = [a.ticket.owner_department_id for a in answers if isinstance(a, Intake)]
    assert owners == [city_wide, local, None]


async def test_the_database_files_each_report_in_the_cell_intake_searches(
    counted: tuple[TicketsContext, CountingBatches], district: District
) -> None:
    ctx, _ = counted
    points = [(36.6505, 117.0005), (-33.8651, 151.2099), (0.0, -0.0005), (-0.0001, 179.9999)]
    reports = [_report(district, 0, lat=lat, lon=lon) for lat, lon in points]
    answers = await _all(ctx, district.tenant, reports)
    ids = [a.ticket.id for a in answers if isinstance(a, Intake)]
    async with ctx.uow(tenant_id=uuid.UUID(district.tenant)) as uow:
        rows = await uow.session.execute(
            text("SELECT id, location_cell FROM tickets WHERE id = ANY(:ids)"), {"ids": ids}
        )
        cells = dict(rows.tuples().all())
    assert [cells[i] for i in ids] == [cell_of(lat, lon) for lat, lon in points]
