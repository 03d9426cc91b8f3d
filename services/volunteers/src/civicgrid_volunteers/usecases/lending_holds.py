"""Holds at the lending station: a resident waits in line for an item that is out; a unit that
comes back is kept for the oldest waiting hold ("ready") until kept_until, then passed on.

Every change to an item's counts or holds first locks the item's row, so returns, loans, holds
and lapses of one item queue behind each other and the line is served in order."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, Forbidden, NotFound
from civicgrid_volunteers.db.lending_repo import Hold, Item, LendingRepository
from civicgrid_volunteers.domain.lending import (
    ACTIVE_HOLDS,
    CANCELLED,
    FULFILLED,
    HOLD_LAPSE_TIMER,
    LAPSED,
    READY,
    check_hold_allowed,
    hold_kept_until,
)
from civicgrid_volunteers.events.messages import timestamp as stamp
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import VolunteersContext, is_staff, person_of


def caller(actor: Principal) -> UUID:
    """The calling person's id (residents act as themselves)."""
    person = person_of(actor)
    if person is None:
        raise Forbidden("only a person borrows, waits for or receives tools")
    return person


def person_for(actor: Principal, person_id: UUID | None) -> UUID:
    """Whom the request is for: the caller, or anyone when staff act on their behalf."""
    if person_id is None:
        return caller(actor)
    if is_staff(actor):
        return person_id
    if person_id != caller(actor):
        raise Forbidden("only staff act for someone else")
    return person_id


async def release_units(
    uow: UnitOfWork,
    repo: LendingRepository,
    item: Item,
    units: int,
    now: datetime,
    *,
    total: int = 0,
    condition: str | None = None,
) -> int:
    """Units coming back to an item (a return, a lapsed or cancelled ready hold, new stock) go
    to the oldest waiting holds first, the rest to the shelf; `total` and `condition` change
    with them. The caller holds the item's lock. Returns how many were kept for holds."""
    kept_until = hold_kept_until(now)
    ready = await repo.make_ready(item.id, units, kept_until)
    for hold_id, person_id in ready:
        await timers.schedule(uow.session, repo.tenant_id, HOLD_LAPSE_TIMER, hold_id, kept_until)
        message = events_pb2.HoldReady(
            hold_id=str(hold_id),
            station_id=str(item.station_id),
            item_id=str(item.id),
            person_id=str(person_id),
            kept_until=stamp(kept_until),
        )
        uow.add_event(volunteer_event(repo.tenant_id, hold_id, message))
    if units - len(ready) or total or condition is not None:
        await repo.change_counts(
            item.id, shelf=units - len(ready), total=total, condition=condition
        )
    return len(ready)


async def fulfil_hold(uow: UnitOfWork, repo: LendingRepository, item: Item, person: UUID) -> bool:
    """Lending to someone who was waiting ends their hold; True if a unit was kept for them
    (their hold was ready), which the loan then takes instead of one off the shelf."""
    hold = await repo.active_hold(item.id, person)
    if hold is None:
        return False
    await repo.end_hold(hold.id, FULFILLED, from_=ACTIVE_HOLDS)
    if hold.status != READY:
        return False
    await timers.cancel(uow.session, HOLD_LAPSE_TIMER, hold.id)
    return True


async def place_hold(
    ctx: VolunteersContext, actor: Principal, item_id: UUID, person_id: UUID | None
) -> Hold:
    tenant_id = actor.tenant_uuid
    person = person_for(actor, person_id)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = LendingRepository(uow.session, tenant_id)
        item = await repo.item(item_id, lock=True)
        if item is None:
            raise NotFound("no such item", field="item_id")
        check_hold_allowed(
            item.count_available, await repo.active_hold(item_id, person) is not None
        )
        hold_id = await repo.add_hold(item_id, person, ctx.clock())
        hold = await repo.hold(hold_id)
        await uow.commit()
    assert hold is not None
    return hold


async def _visible_hold(repo: LendingRepository, actor: Principal, hold_id: UUID) -> Hold:
    hold = await repo.hold(hold_id)
    if hold is None or not (is_staff(actor) or hold.person_id == caller(actor)):
        raise NotFound("no such hold", field="hold_id")
    return hold


async def get_hold(ctx: VolunteersContext, actor: Principal, hold_id: UUID) -> Hold:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _visible_hold(
            LendingRepository(uow.session, actor.tenant_uuid), actor, hold_id
        )


async def list_holds(
    ctx: VolunteersContext,
    actor: Principal,
    *,
    person_id: UUID | None,
    item_id: UUID | None,
    statuses: list[str],
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Hold]:
    """A resident's own holds; staff see anyone's, or every hold on an item."""
    if not is_staff(actor) or (person_id is None and item_id is None):
        person_id = person_for(actor, person_id)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = LendingRepository(uow.session, actor.tenant_uuid)
        return await repo.holds(
            person_id=person_id, item_id=item_id, statuses=statuses, after=after, limit=limit
        )


async def cancel_hold(ctx: VolunteersContext, actor: Principal, hold_id: UUID) -> Hold:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = LendingRepository(uow.session, tenant_id)
        found = await _visible_hold(repo, actor, hold_id)
        item = await repo.item(found.item_id, lock=True)
        assert item is not None  # a hold's item is never deleted
        current = await repo.hold(hold_id)  # as it is now that the item is ours
        assert current is not None
        if current.status not in ACTIVE_HOLDS:
            raise Conflict(f"the hold is already {current.status}", field="hold_id")
        await repo.end_hold(hold_id, CANCELLED, from_=ACTIVE_HOLDS)
        if current.status == READY:
            await timers.cancel(uow.session, HOLD_LAPSE_TIMER, hold_id)
            await release_units(uow, repo, item, 1, ctx.clock())
        hold = await repo.hold(hold_id)
        await uow.commit()
    assert hold is not None
    return hold


async def lapse_hold(
    ctx: VolunteersContext, uow: UnitOfWork, tenant_id: UUID, hold_id: UUID
) -> None:
    """A ready hold nobody came for: its unit goes to the next in line, or back to the shelf."""
    repo = LendingRepository(uow.session, tenant_id)
    found = await repo.hold(hold_id)
    if found is None or found.status != READY:
        return  # fulfilled or cancelled meanwhile
    item = await repo.item(found.item_id, lock=True)
    current = await repo.hold(hold_id)
    if item is None or current is None or current.status != READY:
        return
    now = ctx.clock()
    if current.kept_until is not None and current.kept_until > now:
        await timers.schedule(uow.session, tenant_id, HOLD_LAPSE_TIMER, hold_id, current.kept_until)
        return
    await repo.end_hold(hold_id, LAPSED, from_=(READY,))
    await release_units(uow, repo, item, 1, now)
