"""The tool-lending station: stations and their inventory, loans, returns, and a volunteer's
delivery when the borrower cannot come. Staff run the station; anyone in the district reads
its inventory; a resident sees their own loans. Holds are in lending_holds."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, NotFound
from civicgrid_volunteers.db.lending_repo import Item, LendingRepository, Loan, Station
from civicgrid_volunteers.domain import lending as rules
from civicgrid_volunteers.events.messages import timestamp as stamp
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import (
    VolunteersContext,
    is_staff,
    person_of,
    require_staff,
)
from civicgrid_volunteers.usecases.lending_holds import (
    fulfil_hold,
    person_for,
    release_units,
)
from civicgrid_volunteers.usecases.tasks import add_task


@dataclass(frozen=True, slots=True)
class StationInput:
    name: str
    community_id: UUID | None
    lat: float
    lon: float
    loan_days: int


@dataclass(frozen=True, slots=True)
class ItemInput:
    kind: str
    name: str
    count: int
    condition: rules.ItemCondition


@dataclass(frozen=True, slots=True)
class LoanInput:
    item_id: UUID
    borrower_person_id: UUID
    quantity: int
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryInput:
    lat: float
    lon: float
    starts_at: datetime
    ends_at: datetime
    note: str


@dataclass(frozen=True, slots=True)
class Delivery:
    task_id: UUID
    loan: Loan
    starts_at: datetime
    ends_at: datetime


def _repo(uow: UnitOfWork, actor: Principal) -> LendingRepository:
    return LendingRepository(uow.session, actor.tenant_uuid)


async def _station(repo: LendingRepository, station_id: UUID) -> Station:
    station = await repo.station(station_id)
    if station is None:
        raise NotFound("no such station", field="station_id")
    return station


async def _item(repo: LendingRepository, station_id: UUID, item_id: UUID, lock: bool) -> Item:
    item = await repo.item(item_id, station_id=station_id, lock=lock)
    if item is None:
        raise NotFound("no such item at this station", field="item_id")
    return item


# Stations and inventory


async def create_station(ctx: VolunteersContext, actor: Principal, data: StationInput) -> Station:
    require_staff(actor, "open lending stations")
    rules.check_loan_days(data.loan_days)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        station = await _repo(uow, actor).add_station(asdict(data))
        await uow.commit()
    return station


async def change_station(
    ctx: VolunteersContext, actor: Principal, station_id: UUID, changes: dict[str, object]
) -> Station:
    require_staff(actor, "change lending stations")
    if isinstance(days := changes.get("loan_days"), int):
        rules.check_loan_days(days)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        station = await repo.update_station(station_id, changes) if changes else None
        station = station or await _station(repo, station_id)
        await uow.commit()
    return station


async def get_station(ctx: VolunteersContext, actor: Principal, station_id: UUID) -> Station:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _station(_repo(uow, actor), station_id)


async def list_stations(
    ctx: VolunteersContext,
    actor: Principal,
    community_id: UUID | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Station]:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _repo(uow, actor).stations(community_id, after, limit)


async def add_item(
    ctx: VolunteersContext, actor: Principal, station_id: UUID, data: ItemInput
) -> Item:
    require_staff(actor, "stock lending stations")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        await _station(repo, station_id)
        item_id = await repo.add_item(
            station_id,
            {
                "kind": data.kind,
                "name": data.name,
                "count_total": data.count,
                "count_available": data.count,
                "condition": data.condition,
            },
        )
        item = await _item(repo, station_id, item_id, lock=False)
        await uow.commit()
    return item


async def change_item(
    ctx: VolunteersContext,
    actor: Principal,
    station_id: UUID,
    item_id: UUID,
    count: int | None,
    condition: rules.ItemCondition | None,
) -> Item:
    """A new count (stock bought, units written off) or condition (a repair). Added units go
    to residents waiting in line first."""
    require_staff(actor, "change a station's inventory")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        item = await _item(repo, station_id, item_id, lock=True)
        delta = (
            0
            if count is None
            else rules.check_new_total(count, item.count_total, item.count_available)
        )
        if delta > 0:
            await release_units(
                uow, repo, item, delta, ctx.clock(), total=delta, condition=condition
            )
        elif delta < 0 or condition is not None:
            await repo.change_counts(item_id, shelf=delta, total=delta, condition=condition)
        item = await _item(repo, station_id, item_id, lock=False)
        await uow.commit()
    return item


async def get_item(
    ctx: VolunteersContext, actor: Principal, station_id: UUID, item_id: UUID
) -> Item:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _item(_repo(uow, actor), station_id, item_id, lock=False)


async def list_items(
    ctx: VolunteersContext,
    actor: Principal,
    station_id: UUID,
    kind: str | None,
    after: tuple[str, str, UUID] | None,
    limit: int,
) -> list[Item]:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        await _station(repo, station_id)
        return await repo.items(station_id, kind, after, limit)


# Loans


async def lend(ctx: VolunteersContext, actor: Principal, station_id: UUID, data: LoanInput) -> Loan:
    """Lends units of an item, due back on the date asked or after the station's loan days.
    Refused (409) when not enough are on the shelf; a unit kept for the borrower's ready hold
    counts as theirs."""
    require_staff(actor, "lend tools")
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = _repo(uow, actor)
        station = await _station(repo, station_id)
        item = await _item(repo, station_id, data.item_id, lock=True)
        due_at = rules.due_date(now, station.loan_days, data.due_at)
        reserved = await fulfil_hold(uow, repo, item, data.borrower_person_id)
        take = rules.units_to_take(data.quantity, reserved)
        if take and not await repo.take(item.id, take):
            have = item.count_available + int(reserved)
            raise Conflict(f"only {have} of {item.name} available", field="quantity")
        loan_id = await repo.add_loan(
            {
                "station_id": station_id,
                "item_id": item.id,
                "borrower_person_id": data.borrower_person_id,
                "quantity": data.quantity,
                "lent_at": now,
                "due_at": due_at,
            }
        )
        session = uow.session
        await timers.schedule(
            session, tenant_id, rules.DUE_SOON_TIMER, loan_id, rules.due_soon_at(now, due_at)
        )
        await timers.schedule(session, tenant_id, rules.OVERDUE_TIMER, loan_id, due_at)
        message = events_pb2.LoanCreated(
            loan_id=str(loan_id),
            station_id=str(station_id),
            item_id=str(item.id),
            borrower_person_id=str(data.borrower_person_id),
            due_at=stamp(due_at),
            quantity=data.quantity,
        )
        uow.add_event(volunteer_event(tenant_id, loan_id, message))
        loan = await repo.loan(loan_id)
        await uow.commit()
    assert loan is not None
    return loan


async def return_loan(
    ctx: VolunteersContext, actor: Principal, loan_id: UUID, condition: rules.ReturnCondition
) -> Loan:
    """Records a return: units come back (to the oldest waiting hold first) unless lost, which
    the station then no longer counts; a worse condition becomes the item's."""
    require_staff(actor, "record returns")
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = _repo(uow, actor)
        loan = await repo.loan(loan_id, lock=True)
        if loan is None:
            raise NotFound("no such loan", field="loan_id")
        if loan.returned_at is not None:
            raise Conflict("the loan was returned already", field="loan_id")
        item = await repo.item(loan.item_id, lock=True)
        assert item is not None  # items are never deleted
        await repo.set_loan(loan_id, returned_at=now, return_condition=condition)
        for kind in (rules.DUE_SOON_TIMER, rules.OVERDUE_TIMER):
            await timers.cancel(uow.session, kind, loan_id)
        worse = rules.condition_after_return(item.condition, condition)
        await release_units(
            uow,
            repo,
            item,
            rules.shelf_units(loan.quantity, condition),
            now,
            total=-rules.lost_units(loan.quantity, condition),
            condition=worse if worse != item.condition else None,
        )
        message = events_pb2.LoanReturned(
            loan_id=str(loan_id), condition=condition, returned_at=stamp(now)
        )
        uow.add_event(volunteer_event(tenant_id, loan_id, message))
        returned = await repo.loan(loan_id)
        await uow.commit()
    assert returned is not None
    return returned


async def _visible_loan(repo: LendingRepository, actor: Principal, loan_id: UUID) -> Loan:
    """Staff see every loan; a resident only their own (others' are 404, not 403)."""
    loan = await repo.loan(loan_id)
    if loan is None or not (is_staff(actor) or loan.borrower_person_id == person_of(actor)):
        raise NotFound("no such loan", field="loan_id")
    return loan


async def get_loan(ctx: VolunteersContext, actor: Principal, loan_id: UUID) -> Loan:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _visible_loan(_repo(uow, actor), actor, loan_id)


async def station_loans(
    ctx: VolunteersContext,
    actor: Principal,
    station_id: UUID,
    state: str,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Loan]:
    require_staff(actor, "see a station's loans")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        await _station(repo, station_id)
        return await repo.loans(
            state=state, now=ctx.clock(), station_id=station_id, after=after, limit=limit
        )


async def person_loans(
    ctx: VolunteersContext,
    actor: Principal,
    borrower: UUID | None,
    state: str,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Loan]:
    """The caller's own loans, or (staff) a resident's."""
    person = person_for(actor, borrower)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _repo(uow, actor).loans(
            state=state, now=ctx.clock(), borrower=person, after=after, limit=limit
        )


# Delivery


async def request_delivery(
    ctx: VolunteersContext, actor: Principal, loan_id: UUID, data: DeliveryInput
) -> Delivery:
    """A volunteer brings the loan to a borrower who cannot come: a tool_delivery task for one
    volunteer at the borrower's place in the window given, handed to the offers."""
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    rules.check_delivery_window(now, data.starts_at, data.ends_at)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = _repo(uow, actor)
        found = await _visible_loan(repo, actor, loan_id)
        loan = await repo.loan(found.id, lock=True)
        assert loan is not None
        if loan.returned_at is not None:
            raise Conflict("the loan was returned already", field="loan_id")
        if loan.delivery_task_id is not None:
            raise Conflict("a delivery was asked for already", field="loan_id")
        station = await _station(repo, loan.station_id)
        title = rules.delivery_title(loan.item_name, station.name)
        description = (
            f"Bring {loan.quantity} x {loan.item_name} from the lending station {station.name}"
            f" ({station.lat:.5f}, {station.lon:.5f}) to the borrower. {data.note}"
        ).strip()
        values = {
            "kind": rules.DELIVERY_TASK_KIND,
            "title": title,
            "description": description,
            "lat": data.lat,
            "lon": data.lon,
            "community_id": station.community_id,
            "starts_at": data.starts_at,
            "ends_at": data.ends_at,
            "volunteers_needed": 1,
            "urgency": "normal",
            "source": rules.DELIVERY_SOURCE,
            "source_ref": str(loan_id),
            "client_person_id": loan.borrower_person_id,
        }
        task = await add_task(uow, tenant_id, values, actor.subject, now=now)
        await repo.set_loan(loan_id, delivery_task_id=task.id)
        updated = await repo.loan(loan_id)
        await uow.commit()
    assert updated is not None
    return Delivery(task.id, updated, data.starts_at, data.ends_at)
