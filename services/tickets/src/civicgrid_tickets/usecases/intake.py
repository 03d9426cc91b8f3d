"""Intake: a report from any channel becomes a ticket in the right grid, with an owner and
deadlines, in one transaction with its events. A retried submission returns the first ticket.

Reports that arrive together are taken together (civicgrid_platform.batching): one district's
batch costs one transaction and a dozen statements however many reports it holds, which is
what lets one process take hundreds of reports a second."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
from sqlalchemy.exc import IntegrityError

from civicgrid_platform.batching import Batcher
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.db.intake_repo import IntakeRepository
from civicgrid_tickets.db.map_repo import MapDepartment
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.categories import Category, check_attributes
from civicgrid_tickets.domain.duplicates import Candidate, suggest
from civicgrid_tickets.domain.geo import cells_around
from civicgrid_tickets.domain.levels import (
    DEPARTMENT_ROLE,
    OWNER_ROLES,
    starting_level,
    unit_at_level,
)
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.usecases.categories import catalogue
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.intake_compose import (
    Accepted,
    Intake,
    NewTicket,
    Route,
    announcements,
    compose,
)
from civicgrid_tickets.usecases.routing import (
    UNPLACED,
    Placement,
    choose_department,
    grid_search_box,
    place,
)

__all__ = ["Intake", "Report", "create_ticket", "intake_batcher", "take_reports"]

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


def intake_batcher() -> Batcher[Report, Intake]:
    """Batches by district (row-level security binds a transaction to one tenant) and by
    context."""
    return Batcher(
        _take_batch, name="intake batch", key=lambda r: (r.tenant_id, id(r.ctx)), max_batch=64
    )


async def _take_batch(reports: Sequence[Report]) -> list[Intake | Exception]:
    return await take_reports(reports[0].ctx, reports)


async def create_ticket(
    ctx: TicketsContext, tenant_id: uuid.UUID, actor_id: str | None, submission: Submission
) -> Intake:
    report = Report(ctx, tenant_id, actor_id, submission.checked())
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
        earlier = await TicketsRepository(uow.session, tenant_id).by_idempotency_key(key)
    assert earlier is not None
    return Intake(earlier, [], replayed=True)


async def take_reports(ctx: TicketsContext, reports: Sequence[Report]) -> list[Intake | Exception]:
    """One district's reports, in one transaction: each is answered with its ticket or with
    why it was refused. Raises, having written nothing, if the batch fails as a whole."""
    tenant_id = reports[0].tenant_id
    outcomes: list[Intake | Exception | None] = [None] * len(reports)
    keys = [r.submission.idempotency_key for r in reports if r.submission.idempotency_key]
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = IntakeRepository(uow.session, tenant_id)
        earlier = await repo.by_idempotency_keys(keys) if keys else {}
        known = {c.code: c for c in await catalogue(CategoriesRepository(uow.session, tenant_id))}
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
            accepted.append((n, Accepted(report.submission, report.actor_id, category, attributes)))
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
    policy = ctx.intake
    tenant_id = repo.tenant_id
    rules = await ctx.rules.current(uow.session, tenant_id)
    placements = await _place_all(repo, reports, policy.boundary_warning_m)
    candidates = await repo.recent_nearby(
        [_duplicate_cells(r, policy.duplicate_radius_m) for r in reports],
        now - timedelta(hours=policy.duplicate_window_hours),
        DUPLICATE_CANDIDATES,
    )
    departments = await repo.departments_for(
        [r.category.code for r in reports if r.category.handled_by == "department"]
    )
    routes = [_route(r, p, departments) for r, p in zip(reports, placements, strict=True)]
    owners = await _owners(repo, routes)
    # The counter's row stays locked from here to the commit: a moment, not the whole intake,
    # which would queue every report of the district behind the batch before it.
    numbers = await repo.take_numbers(now.year, len(reports))
    made = [
        compose(report, number, tenant_id, route, (rules.policy, rules.calendar), now)
        for report, number, route in zip(reports, numbers, routes, strict=True)
    ]
    await repo.insert(
        [m.record for m in made],
        [(m.record.id, m.history) for m in made],
        [(m.record.id, t) for m in made for t in m.timers],
    )
    for m, route in zip(made, routes, strict=True):
        for event in announcements(m.record, owners[route]):
            uow.add_event(event)
    return _with_duplicates(made, candidates, policy.duplicate_radius_m)


def _duplicate_cells(report: Accepted, radius_m: float) -> tuple[str, list[int]] | None:
    lat, lon = report.submission.lat, report.submission.lon
    if lat is None or lon is None:
        return None
    return report.category.code, cells_around(lat, lon, radius_m)


def _route(report: Accepted, placement: Placement, departments: list[MapDepartment]) -> Route:
    """Where the ticket starts: its placement, the level it starts at, and its department."""
    department_id = None
    if report.category.handled_by == "department":
        units = [placement.grid_id, *placement.ancestor_ids] if placement.grid_id else []
        mine = [d for d in departments if report.category.code in d.categories]
        found = choose_department(mine, units)
        department_id = found.id if found else None
    level = starting_level(placement.chain)
    return Route(placement, level, unit_at_level(level, placement.chain), department_id)


async def _place_all(
    repo: IntakeRepository, reports: list[Accepted], boundary_m: float
) -> list[Placement]:
    points = [
        (s.lat, s.lon) if s.lat is not None and s.lon is not None else None
        for s in (r.submission for r in reports)
    ]
    near = await repo.grids_near(
        [grid_search_box(p[0], p[1], boundary_m) if p else None for p in points]
    )
    units = await repo.units_with_ancestors([g.id for each in near for g in each])
    return [
        place(shapes, units, p[0], p[1], boundary_m) if p else UNPLACED
        for shapes, p in zip(near, points, strict=True)
    ]


async def _owners(repo: IntakeRepository, routes: list[Route]) -> dict[Route, list[uuid.UUID]]:
    """Who holds each new ticket: the district's department agents, or the staff of its level's
    unit (the city's are bound tenant-wide)."""
    roles = {DEPARTMENT_ROLE, *(role for r in routes for role in OWNER_ROLES[r.level])}
    units = [r.owner_unit_id for r in routes if r.owner_unit_id is not None]
    held = await repo.holders(sorted(roles), units)
    owners: dict[Route, list[uuid.UUID]] = {}
    for r in routes:
        if r.department_id is not None:
            owners[r] = held.get((None, DEPARTMENT_ROLE), [])
        else:
            owners[r] = [
                p for role in OWNER_ROLES[r.level] for p in held.get((r.owner_unit_id, role), [])
            ]
    return owners


def _with_duplicates(
    made: list[NewTicket], candidates: list[list[Candidate]], radius_m: float
) -> list[Intake]:
    """Each ticket's likely duplicates among recent reports, and among the reports of its own
    batch that came before it (they were not yet stored when the batch read its neighbours)."""
    answers = []
    for n, (m, found) in enumerate(zip(made, candidates, strict=True)):
        t = m.record
        if t.lat is None or t.lon is None:
            answers.append(Intake(t, []))
            continue
        earlier = [
            Candidate(str(o.id), o.number, o.lat, o.lon, o.description)
            for o in (e.record for e in made[:n])
            if o.category == t.category and o.lat is not None and o.lon is not None
        ]
        answers.append(Intake(t, suggest(t.lat, t.lon, t.description, found + earlier, radius_m)))
    return answers
