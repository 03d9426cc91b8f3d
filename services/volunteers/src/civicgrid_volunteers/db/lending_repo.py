"""The tool-lending station's rows: stations, items, loans, holds, and the delivery task a loan
asks for. Every statement names the tenant (row-level security refuses the rest anyway)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Select, case, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import holds, items, loans, stations
from civicgrid_volunteers.domain.lending import READY, WAITING


@dataclass(frozen=True, slots=True)
class Station:
    id: UUID
    name: str
    community_id: UUID | None
    lat: float
    lon: float
    loan_days: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Item:
    id: UUID
    station_id: UUID
    kind: str
    name: str
    count_total: int
    count_available: int
    condition: str
    created_at: datetime
    reserved: int  # units kept for ready holds
    waiting: int  # holds waiting in line

    @property
    def on_loan(self) -> int:
        return self.count_total - self.count_available - self.reserved


@dataclass(frozen=True, slots=True)
class Loan:
    id: UUID
    station_id: UUID
    item_id: UUID
    item_kind: str
    item_name: str
    borrower_person_id: UUID
    quantity: int
    lent_at: datetime
    due_at: datetime
    returned_at: datetime | None
    return_condition: str | None
    due_soon_sent_at: datetime | None
    overdue_sent_at: datetime | None
    delivery_task_id: UUID | None


@dataclass(frozen=True, slots=True)
class Hold:
    id: UUID
    item_id: UUID
    station_id: UUID
    item_name: str
    person_id: UUID
    status: str
    kept_until: datetime | None
    created_at: datetime
    position: int | None  # 1 for the next in line; None unless waiting


_STATION = [stations.c[n] for n in Station.__dataclass_fields__]
_LOAN = [
    *(loans.c[n] for n in ("id", "station_id", "item_id")),
    items.c.kind.label("item_kind"),
    items.c.name.label("item_name"),
    *(loans.c[n] for n in list(Loan.__dataclass_fields__)[5:]),
]
_AHEAD = holds.alias("ahead")
_POSITION = case(
    (
        holds.c.status == WAITING,
        select(func.count())
        .where(
            _AHEAD.c.tenant_id == holds.c.tenant_id,
            _AHEAD.c.item_id == holds.c.item_id,
            _AHEAD.c.status == WAITING,
            tuple_(_AHEAD.c.created_at, _AHEAD.c.id) <= tuple_(holds.c.created_at, holds.c.id),
        )
        .scalar_subquery(),
    ),
    else_=None,
)
_HOLD = [
    holds.c.id,
    holds.c.item_id,
    items.c.station_id,
    items.c.name.label("item_name"),
    *(holds.c[n] for n in ("person_id", "status", "kept_until", "created_at")),
    _POSITION.label("position"),
]


def _holds_counted(status: str) -> Any:
    return (
        select(func.count())
        .where(
            holds.c.tenant_id == items.c.tenant_id,
            holds.c.item_id == items.c.id,
            holds.c.status == status,
        )
        .scalar_subquery()
    )


_ITEM = [
    *(items.c[n] for n in list(Item.__dataclass_fields__)[:8]),
    _holds_counted(READY).label("reserved"),
    _holds_counted(WAITING).label("waiting"),
]


def _beyond(columns: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """Keyset pagination: rows after the last one of the previous page."""
    return tuple_(*columns) > tuple_(*(literal(v) for v in values))


def _rows(cls: type[Any], rows: Sequence[Row[Any]]) -> list[Any]:
    return [cls(*r) for r in rows]


class LendingRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # Stations

    async def add_station(self, values: Mapping[str, Any]) -> Station:
        statement = stations.insert().values(tenant_id=self.tenant_id, **values)
        return Station(*(await self.session.execute(statement.returning(*_STATION))).one())

    async def station(self, station_id: UUID) -> Station | None:
        query = select(*_STATION).where(
            stations.c.tenant_id == self.tenant_id, stations.c.id == station_id
        )
        row = (await self.session.execute(query)).first()
        return Station(*row) if row else None

    async def update_station(self, station_id: UUID, changes: Mapping[str, Any]) -> Station | None:
        statement = (
            update(stations)
            .where(stations.c.tenant_id == self.tenant_id, stations.c.id == station_id)
            .values(**changes)
            .returning(*_STATION)
        )
        row = (await self.session.execute(statement)).first()
        return Station(*row) if row else None

    async def stations(
        self, community_id: UUID | None, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Station]:
        query = select(*_STATION).where(stations.c.tenant_id == self.tenant_id)
        if community_id is not None:
            query = query.where(stations.c.community_id == community_id)
        if after is not None:
            query = query.where(_beyond((stations.c.created_at, stations.c.id), after))
        query = query.order_by(stations.c.created_at, stations.c.id).limit(limit)
        return _rows(Station, (await self.session.execute(query)).all())

    # Items

    async def add_item(self, station_id: UUID, values: Mapping[str, Any]) -> UUID:
        statement = items.insert().values(tenant_id=self.tenant_id, station_id=station_id, **values)
        item_id: UUID = (await self.session.execute(statement.returning(items.c.id))).scalar_one()
        return item_id

    def _items(self) -> Select[Any]:
        return select(*_ITEM).where(items.c.tenant_id == self.tenant_id)

    async def item(
        self, item_id: UUID, *, station_id: UUID | None = None, lock: bool = False
    ) -> Item | None:
        """One item; `lock` holds its row until commit, which queues every change of its counts
        and of its holds behind this transaction."""
        query = self._items().where(items.c.id == item_id)
        if station_id is not None:
            query = query.where(items.c.station_id == station_id)
        if lock:
            query = query.with_for_update(of=items)
        row = (await self.session.execute(query)).first()
        return Item(*row) if row else None

    async def items(
        self, station_id: UUID, kind: str | None, after: tuple[str, str, UUID] | None, limit: int
    ) -> list[Item]:
        query = self._items().where(items.c.station_id == station_id)
        if kind is not None:
            query = query.where(items.c.kind == kind)
        if after is not None:
            query = query.where(_beyond((items.c.kind, items.c.name, items.c.id), after))
        query = query.order_by(items.c.kind, items.c.name, items.c.id).limit(limit)
        return _rows(Item, (await self.session.execute(query)).all())

    async def take(self, item_id: UUID, units: int) -> bool:
        """Takes units off the shelf if that many are there: the guard in the UPDATE makes the
        database the judge, so two loans of the last unit cannot both succeed."""
        statement = (
            update(items)
            .where(
                items.c.tenant_id == self.tenant_id,
                items.c.id == item_id,
                items.c.count_available >= units,
            )
            .values(count_available=items.c.count_available - units)
            .returning(items.c.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def change_counts(
        self, item_id: UUID, *, shelf: int = 0, total: int = 0, condition: str | None = None
    ) -> None:
        """Adds `shelf` to the available count and `total` to the total (either may be
        negative), relative to what the row holds, and sets the condition if given."""
        values: dict[str, Any] = {
            "count_available": items.c.count_available + shelf,
            "count_total": items.c.count_total + total,
        }
        if condition is not None:
            values["condition"] = condition
        await self.session.execute(
            update(items)
            .where(items.c.tenant_id == self.tenant_id, items.c.id == item_id)
            .values(**values)
        )

    # Loans

    def _loans(self) -> Select[Any]:
        return (
            select(*_LOAN)
            .join(items, items.c.id == loans.c.item_id)
            .where(loans.c.tenant_id == self.tenant_id, items.c.tenant_id == self.tenant_id)
        )

    async def add_loan(self, values: Mapping[str, Any]) -> UUID:
        statement = loans.insert().values(tenant_id=self.tenant_id, **values)
        loan_id: UUID = (await self.session.execute(statement.returning(loans.c.id))).scalar_one()
        return loan_id

    async def loan(self, loan_id: UUID, *, lock: bool = False) -> Loan | None:
        query = self._loans().where(loans.c.id == loan_id)
        if lock:
            query = query.with_for_update(of=loans)
        row = (await self.session.execute(query)).first()
        return Loan(*row) if row else None

    async def loans(
        self,
        *,
        state: str,
        now: datetime,
        station_id: UUID | None = None,
        borrower: UUID | None = None,
        after: tuple[datetime, UUID] | None = None,
        limit: int = 50,
    ) -> list[Loan]:
        """Loans by due date, soonest first; state is open (overdue included), overdue,
        returned or all."""
        query = self._loans()
        if station_id is not None:
            query = query.where(loans.c.station_id == station_id)
        if borrower is not None:
            query = query.where(loans.c.borrower_person_id == borrower)
        if state in ("open", "overdue"):
            query = query.where(loans.c.returned_at.is_(None))
        if state == "overdue":
            query = query.where(loans.c.due_at <= now)
        if state == "returned":
            query = query.where(loans.c.returned_at.is_not(None))
        if after is not None:
            query = query.where(_beyond((loans.c.due_at, loans.c.id), after))
        query = query.order_by(loans.c.due_at, loans.c.id).limit(limit)
        return _rows(Loan, (await self.session.execute(query)).all())

    async def set_loan(self, loan_id: UUID, *, open_only: bool = True, **values: Any) -> bool:
        """Changes a loan still out (or any, without `open_only`); False if there was none."""
        statement = update(loans).where(loans.c.tenant_id == self.tenant_id, loans.c.id == loan_id)
        if open_only:
            statement = statement.where(loans.c.returned_at.is_(None))
        done = await self.session.execute(statement.values(**values).returning(loans.c.id))
        return done.first() is not None

    # Holds

    def _holds(self) -> Select[Any]:
        return (
            select(*_HOLD)
            .join(items, items.c.id == holds.c.item_id)
            .where(holds.c.tenant_id == self.tenant_id, items.c.tenant_id == self.tenant_id)
        )

    async def add_hold(self, item_id: UUID, person_id: UUID, at: datetime) -> UUID:
        statement = holds.insert().values(
            tenant_id=self.tenant_id, item_id=item_id, person_id=person_id, created_at=at
        )
        hold_id: UUID = (await self.session.execute(statement.returning(holds.c.id))).scalar_one()
        return hold_id

    async def hold(self, hold_id: UUID) -> Hold | None:
        row = (await self.session.execute(self._holds().where(holds.c.id == hold_id))).first()
        return Hold(*row) if row else None

    async def active_hold(self, item_id: UUID, person_id: UUID) -> Hold | None:
        query = self._holds().where(
            holds.c.item_id == item_id,
            holds.c.person_id == person_id,
            holds.c.status.in_((WAITING, READY)),
        )
        row = (await self.session.execute(query.order_by(holds.c.created_at).limit(1))).first()
        return Hold(*row) if row else None

    async def holds(
        self,
        *,
        person_id: UUID | None,
        item_id: UUID | None,
        statuses: Sequence[str],
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[Hold]:
        query = self._holds()
        if person_id is not None:
            query = query.where(holds.c.person_id == person_id)
        if item_id is not None:
            query = query.where(holds.c.item_id == item_id)
        if statuses:
            query = query.where(holds.c.status.in_(statuses))
        if after is not None:
            query = query.where(_beyond((holds.c.created_at, holds.c.id), after))
        query = query.order_by(holds.c.created_at, holds.c.id).limit(limit)
        return _rows(Hold, (await self.session.execute(query)).all())

    async def make_ready(
        self, item_id: UUID, units: int, kept_until: datetime
    ) -> list[tuple[UUID, UUID]]:
        """The oldest `units` waiting holds of the item become ready, kept until then; their
        (id, person_id)."""
        if units <= 0:
            return []
        oldest = (
            select(holds.c.id)
            .where(
                holds.c.tenant_id == self.tenant_id,
                holds.c.item_id == item_id,
                holds.c.status == WAITING,
            )
            .order_by(holds.c.created_at, holds.c.id)
            .limit(units)
            .with_for_update()
        )
        statement = (
            update(holds)
            .where(holds.c.tenant_id == self.tenant_id, holds.c.id.in_(oldest.scalar_subquery()))
            .values(status=READY, kept_until=kept_until)
            .returning(holds.c.id, holds.c.person_id, holds.c.created_at)
        )
        ready = sorted((await self.session.execute(statement)).all(), key=lambda r: r[2])
        return [(r.id, r.person_id) for r in ready]

    async def end_hold(self, hold_id: UUID, status: str, *, from_: Sequence[str]) -> bool:
        """Moves the hold from one of `from_` to `status`; False if it was in none of them."""
        statement = (
            update(holds)
            .where(
                holds.c.tenant_id == self.tenant_id,
                holds.c.id == hold_id,
                holds.c.status.in_(from_),
            )
            .values(status=status)
            .returning(holds.c.id)
        )
        return (await self.session.execute(statement)).first() is not None

    # The delivery task a loan asks for
