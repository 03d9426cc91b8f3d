"""Intake: a report from any channel becomes a ticket in the right grid, with an owner and
deadlines, in one transaction with its events. A retried submission returns the first ticket.

Reports that arrive together are taken together (civicgrid_platform.batching): one district's
batch costs one transaction and a dozen statements however many reports it holds, which is
what lets one process take hundreds of reports a second."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy.exc import IntegrityError

from civicgrid_platform.batching import Batcher, Handler
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.db.intake_repo import IntakeRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.categories import Category, check_attributes
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.intake_compose import (
    Accepted,
    Intake,
    announcements,
    compose,
)
from civicgrid_tickets.usecases.intake_placing import (
    duplicate_cells,
    owners_of,
    place_all,
    route,
    with_duplicates,
)

__all__ = [
    "Intake",
    "Report",
    "create_ticket",
    "intake_batcher",
    "take_numbers",
    "take_reports",
]

# The duplicate check compares texts, so it reads at most this many recent reports per cell.
DUPLICATE_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class Report:
    """A checked submission on its way into a batch, with the context it was made in (a
    context derived for a test's clock shares its parent's batcher)."""

    ctx: TicketsContext
    tenant_id: uuid.UUID
    actor_id: str | None
    submission: Submission
    # The reporter's (or their client's) bearer token, for asking the grid registry on their
    # behalf while the district's map is cold.
    token: str | None = None


def intake_batcher(
    take: Handler[Report, Intake] | None = None,
) -> Batcher[Report, Intake]:
    """Batches by district (row-level security binds a transaction to one tenant) and by
    context. One lane: while a batch waits on the database, the next gathers (and the HTTP work
    of its requests goes on); a second lane only split batches and raced for the numbers, which
    measured slower at every load (`make bench`). Replicas add lanes. `take` wraps the
    handler (tests count the batches)."""
    return Batcher(
        take or _take_batch,
        name="intake batch",
        key=lambda r: (r.tenant_id, id(r.ctx)),
        max_batch=64,
        lanes=1,
    )


async def _take_batch(reports: Sequence[Report]) -> list[Intake | Exception]:
    return await take_reports(reports[0].ctx, reports)


async def create_ticket(
    ctx: TicketsContext,
    tenant_id: uuid.UUID,
    actor_id: str | None,
    submission: Submission,
    *,
    token: str | None = None,
) -> Intake:
    report = Report(ctx, tenant_id, actor_id, submission.checked(), token)
    try:
        if ctx.intake_batches is not None:
            return await ctx.intake_batches.submit(report)
        [outcome] = await take_reports(ctx, [report])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
    except (IntegrityError, asyncpg.UniqueViolationError) as exc:
        # Two retries of one submission raced: the loser answers with the winner's ticket.
        # (Batched writes go straight through the driver, whose error SQLAlchemy never wraps.)
        key = submission.idempotency_key
        if not key or "uq_tickets_idempotency" not in str(exc):
            raise
    async with ctx.uow(tenant_id=tenant_id) as uow:
        earlier = await TicketsRepository(uow.session, tenant_id).by_idempotency_keys([key])
    return Intake(earlier[key], [], replayed=True)


async def take_reports(ctx: TicketsContext, reports: Sequence[Report]) -> list[Intake | Exception]:
    """One district's reports, in one transaction: each is answered with its ticket or with
    why it was refused. Raises, having written nothing, if the batch fails as a whole."""
    tenant_id = reports[0].tenant_id
    outcomes: list[Intake | Exception | None] = [None] * len(reports)
    keys = [r.submission.idempotency_key for r in reports if r.submission.idempotency_key]
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = IntakeRepository(uow.session, tenant_id)
        earlier = await TicketsRepository(uow.session, tenant_id).by_idempotency_keys(keys)
        district = CategoriesRepository(uow.session, tenant_id)
        known = {c.code: c for c in await ctx.catalogues.of(district)}
        accepted: list[tuple[int, Accepted]] = []
        for n, report in enumerate(reports):
            key = report.submission.idempotency_key
            if key and key in earlier:
                outcomes[n] = Intake(earlier[key], [], replayed=True)
                continue
            try:
                category = _category(known, report.submission)
                attributes = check_attributes(category, report.submission.attributes)
            except InvalidInput as refused:
                outcomes[n] = refused
                continue
            accepted.append(
                (
                    n,
                    Accepted(
                        report.submission, report.actor_id, category, attributes, report.token
                    ),
                )
            )
        if accepted:
            made = await _open_tickets(ctx, uow, repo, [a for _, a in accepted])
            for (n, _), intake in zip(accepted, made, strict=True):
                outcomes[n] = intake
        await uow.commit()
    return [o for o in outcomes if o is not None]


def _category(known: dict[str, Category], submission: Submission) -> Category:
    if submission.category not in known:
        raise InvalidInput(f"one of {', '.join(sorted(known))}", field="category")
    return known[submission.category]


async def _open_tickets(
    ctx: TicketsContext, uow: UnitOfWork, repo: IntakeRepository, reports: list[Accepted]
) -> list[Intake]:
    now = ctx.clock()
    tenant_id = repo.tenant_id
    # Numbers come from a transaction of their own, on another connection, while this one
    # reads: the counter's row is locked for that short transaction only, not until this
    # batch commits, which would queue every other batch of the district (on every replica)
    # behind this one. A batch that fails afterwards leaves a gap in the numbers.
    numbers_taken = asyncio.create_task(take_numbers(ctx, tenant_id, now.year, len(reports)))
    try:
        return await _open(ctx, uow, repo, reports, now, numbers_taken)
    finally:
        if not numbers_taken.done():
            numbers_taken.cancel()
        await asyncio.gather(numbers_taken, return_exceptions=True)


async def take_numbers(
    ctx: TicketsContext, tenant_id: uuid.UUID, year: int, count: int
) -> list[str]:
    """`count` numbers of the year, in a short transaction of their own (see _open_tickets)."""
    async with ctx.uow(tenant_id=tenant_id) as uow:
        numbers = await IntakeRepository(uow.session, tenant_id).take_numbers(year, count)
        await uow.commit()
    return numbers


async def _open(
    ctx: TicketsContext,
    uow: UnitOfWork,
    repo: IntakeRepository,
    reports: list[Accepted],
    now: datetime,
    numbers_taken: asyncio.Task[list[str]],
) -> list[Intake]:
    policy = ctx.intake
    tenant_id = repo.tenant_id
    rules = await ctx.rules.current(uow.session, tenant_id)
    placements = await place_all(ctx.registry, repo, reports, policy.boundary_warning_m)
    candidates = await repo.recent_nearby(
        [duplicate_cells(r, policy.duplicate_radius_m) for r in reports],
        now - timedelta(hours=policy.duplicate_window_hours),
        DUPLICATE_CANDIDATES,
    )
    departments = await repo.departments_for(
        [r.category.code for r in reports if r.category.handled_by == "department"]
    )
    routes = [route(r, p, departments) for r, p in zip(reports, placements, strict=True)]
    owners = await owners_of(repo, routes)
    numbers = await numbers_taken
    made = [
        compose(report, number, tenant_id, where, (rules.policy, rules.calendar), now)
        for report, number, where in zip(reports, numbers, routes, strict=True)
    ]
    await repo.insert(
        [m.record for m in made],
        [(m.record.id, m.history) for m in made],
        [(m.record.id, t) for m in made for t in m.timers],
    )
    for m, holders in zip(made, owners, strict=True):
        for event in announcements(m.record, holders):
            uow.add_event(event)
    return with_duplicates(made, candidates, policy.duplicate_radius_m)
