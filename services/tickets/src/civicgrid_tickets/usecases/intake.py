"""Intake: a report from any channel becomes a ticket in the right grid, with an owner and
deadlines, in one transaction with its events. A retried submission returns the first ticket."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.categories import Category, check_attributes
from civicgrid_tickets.domain.duplicates import Suggestion, suggest
from civicgrid_tickets.domain.geo import degrees_around
from civicgrid_tickets.domain.levels import OWNER_ROLES, starting_level, unit_at_level
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla_state import TicketClocks
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.events.messages import ticket_message
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.categories import catalogue
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.routing import UNPLACED, choose_department, place


@dataclass(frozen=True, slots=True)
class Intake:
    ticket: TicketRecord
    duplicates: list[Suggestion]
    replayed: bool = False


async def create_ticket(
    ctx: TicketsContext, tenant_id: uuid.UUID, actor_id: str | None, submission: Submission
) -> Intake:
    submission = submission.checked()
    try:
        return await _create(ctx, tenant_id, actor_id, submission)
    except IntegrityError as exc:
        # Two retries of one submission raced: the loser answers with the winner's ticket.
        if not submission.idempotency_key or "uq_tickets_idempotency" not in str(exc.orig):
            raise
    async with ctx.uow(tenant_id=tenant_id) as uow:
        earlier = await TicketsRepository(uow.session, tenant_id).by_idempotency_key(
            submission.idempotency_key
        )
    assert earlier is not None
    return Intake(earlier, [], replayed=True)


async def _create(
    ctx: TicketsContext, tenant_id: uuid.UUID, actor_id: str | None, submission: Submission
) -> Intake:
    if submission.idempotency_key:
        async with ctx.uow(tenant_id=tenant_id) as uow:
            earlier = await TicketsRepository(uow.session, tenant_id).by_idempotency_key(
                submission.idempotency_key
            )
        if earlier is not None:
            return Intake(earlier, [], replayed=True)
    number = await _take_number(ctx, tenant_id, ctx.clock().year)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        tickets = TicketsRepository(uow.session, tenant_id)
        category = await _category(CategoriesRepository(uow.session, tenant_id), submission)
        attributes = check_attributes(category, submission.attributes)
        intake = await _intake(ctx, uow, tickets, tenant_id, submission, category, number)
        intake = replace(intake, ticket=replace(intake.ticket, attributes=attributes))
        await tickets.insert(intake.ticket)
        clocks = TicketClocks.from_dict(intake.ticket.sla_clocks)
        await tickets.schedule(intake.ticket.id, clocks.timers(ctx.sla.calendar))
        await tickets.record(
            intake.ticket.id,
            HistoryEntry(
                intake.ticket.created_at,
                actor_id,
                "submit",
                None,
                "submitted",
                None,
                {"channel": submission.channel, "resolved_by": intake.ticket.resolved_by},
            ),
        )
        await _announce(uow, intake.ticket, MapRepository(uow.session, tenant_id))
        await uow.commit()
    return intake


async def _category(repo: CategoriesRepository, submission: Submission) -> Category:
    known = {c.code: c for c in await catalogue(repo)}
    if submission.category not in known:
        raise InvalidInput(f"one of {', '.join(sorted(known))}", field="category")
    return known[submission.category]


async def _intake(
    ctx: TicketsContext,
    uow: UnitOfWork,
    tickets: TicketsRepository,
    tenant_id: uuid.UUID,
    submission: Submission,
    category: Category,
    number: str,
) -> Intake:
    now = ctx.clock()
    policy = ctx.intake
    map_repo = MapRepository(uow.session, tenant_id)
    placement = UNPLACED
    duplicates: list[Suggestion] = []
    if submission.lat is not None and submission.lon is not None:
        placement = await place(map_repo, submission.lat, submission.lon, policy.boundary_warning_m)
        dlat, dlon = degrees_around(submission.lat, policy.duplicate_radius_m)
        candidates = await tickets.recent_nearby(
            category.code,
            now - timedelta(hours=policy.duplicate_window_hours),
            submission.lat,
            submission.lon,
            dlat,
            dlon,
        )
        duplicates = suggest(
            submission.lat,
            submission.lon,
            submission.description,
            candidates,
            policy.duplicate_radius_m,
        )
    level = starting_level(placement.chain)
    priority = submission.priority or category.default_priority
    clocks = TicketClocks.start(ctx.sla.policy, category.code, priority, now)
    acknowledge_due, resolve_due = clocks.deadlines(ctx.sla.calendar)
    department_id = None
    if category.handled_by == "department":
        units = [placement.grid_id, *placement.ancestor_ids] if placement.grid_id else []
        found = choose_department(await map_repo.departments_for(category.code), units)
        department_id = found.id if found else None
    ticket = TicketRecord(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        number=number,
        category=category.code,
        priority=priority,
        status="submitted",
        channel=submission.channel,
        description=submission.description.strip(),
        lat=submission.lat,
        lon=submission.lon,
        address=(submission.address or "").strip() or None,
        attributes={},
        reporter_person_id=submission.reporter_person_id,
        contact=submission.contact,
        grid_id=placement.grid_id,
        ancestor_ids=placement.ancestor_ids,
        boundary_neighbour_grid_id=placement.neighbour_grid_id,
        boundary_distance_m=placement.neighbour_distance_m,
        resolved_by=placement.resolved_by,
        level=level,
        owner_unit_id=unit_at_level(level, placement.chain),
        owner_department_id=department_id,
        previous_status=None,
        merged_into=None,
        rating=None,
        rating_comment=None,
        reopen_count=0,
        acknowledged_in_time=None,
        resolved_in_time=None,
        highest_level=level,
        sla_policy_version=ctx.sla.policy.version,
        acknowledge_due_at=acknowledge_due,
        resolve_due_at=resolve_due,
        sla_clocks=clocks.to_dict(),
        idempotency_key=submission.idempotency_key,
        created_at=now,
        updated_at=now,
        acknowledged_at=None,
        resolved_at=None,
        closed_at=None,
    )
    return Intake(ticket, duplicates)


async def _take_number(ctx: TicketsContext, tenant_id: uuid.UUID, year: int) -> str:
    """The next number, taken in a transaction of its own before the intake's: the counter's row
    lock is then held for a moment rather than through the whole intake, which would queue every
    report of the district behind the one before it. A report refused afterwards (or a racing
    retry) leaves a gap in the numbers."""
    async with ctx.uow(tenant_id=tenant_id) as uow:
        number = await TicketsRepository(uow.session, tenant_id).next_number(year)
        await uow.commit()
    return number


async def _announce(uow: UnitOfWork, ticket: TicketRecord, map_repo: MapRepository) -> None:
    message = ticket_message(ticket)
    reporter = str(ticket.reporter_person_id or "")
    uow.add_event(
        ticket_event(
            ticket.tenant_id,
            ticket.id,
            events_pb2.TicketCreated(ticket=message, reporter_person_id=reporter),
        )
    )
    uow.add_event(
        ticket_event(
            ticket.tenant_id,
            ticket.id,
            events_pb2.TicketRouted(
                ticket_id=str(ticket.id),
                grid_id=str(ticket.grid_id or ""),
                ancestor_ids=[str(a) for a in ticket.ancestor_ids],
                department_id=str(ticket.owner_department_id or ""),
                resolved_by=ticket.resolved_by or "none",
                boundary_neighbour_grid_id=str(ticket.boundary_neighbour_grid_id or ""),
                boundary_distance_m=ticket.boundary_distance_m or 0.0,
            ),
        )
    )
    if ticket.owner_department_id is not None:
        owners = await map_repo.holders(("department_agent",), None)
    else:
        owners = await map_repo.holders(OWNER_ROLES[ticket.level], ticket.owner_unit_id)
    uow.add_event(
        ticket_event(
            ticket.tenant_id,
            ticket.id,
            events_pb2.TicketAssigned(
                ticket_id=str(ticket.id),
                level=ticket.level,
                owner_unit_id=str(ticket.owner_unit_id or ""),
                owner_department_id=str(ticket.owner_department_id or ""),
                owner_person_ids=[str(p) for p in owners],
            ),
        )
    )
