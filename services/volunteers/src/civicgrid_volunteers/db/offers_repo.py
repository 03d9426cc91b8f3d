"""Offers and assignments (an accepted offer's place on its task)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import assignments, offers


@dataclass(frozen=True, slots=True)
class OfferRecord:
    id: UUID
    task_id: UUID
    volunteer_id: UUID
    round: int
    score: float
    breakdown: list[dict[str, Any]]
    status: str
    made_at: datetime
    expires_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class AssignmentRecord:
    id: UUID
    task_id: UUID
    volunteer_id: UUID
    offer_id: UUID | None
    client_person_id: UUID | None
    status: str
    starts_at: datetime
    ends_at: datetime
    accepted_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    late_cancellation: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None


_OFFER = [offers.c[f] for f in OfferRecord.__dataclass_fields__]
_ASSIGNMENT = [assignments.c[f] for f in AssignmentRecord.__dataclass_fields__]


def _offer(row: Row[Any]) -> OfferRecord:
    return OfferRecord(*row)


def _assignment(row: Row[Any]) -> AssignmentRecord:
    return AssignmentRecord(*row)


class OffersRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def insert(self, rows: Sequence[dict[str, Any]]) -> list[OfferRecord]:
        if not rows:
            return []
        statement = (
            offers.insert()
            .values([{"tenant_id": self.tenant_id, **r} for r in rows])
            .returning(*_OFFER)
        )
        return [_offer(r) for r in await self.session.execute(statement)]

    async def get(self, offer_id: UUID) -> OfferRecord | None:
        row = (
            await self.session.execute(
                select(*_OFFER).where(offers.c.tenant_id == self.tenant_id, offers.c.id == offer_id)
            )
        ).first()
        return _offer(row) if row else None

    async def answer(
        self, offer_id: UUID, status: str, now: datetime, *, only_before: datetime | None = None
    ) -> OfferRecord | None:
        """Moves a pending offer to `status`; None if it was no longer pending (or, with
        only_before, had already expired by then)."""
        condition = [
            offers.c.tenant_id == self.tenant_id,
            offers.c.id == offer_id,
            offers.c.status == "pending",
        ]
        if only_before is not None:
            condition.append(offers.c.expires_at > only_before)
        row = (
            await self.session.execute(
                update(offers)
                .where(*condition)
                .values(status=status, answered_at=now)
                .returning(*_OFFER)
            )
        ).first()
        return _offer(row) if row else None

    async def withdraw_pending(self, task_id: UUID, now: datetime) -> list[OfferRecord]:
        statement = (
            update(offers)
            .where(
                offers.c.tenant_id == self.tenant_id,
                offers.c.task_id == task_id,
                offers.c.status == "pending",
            )
            .values(status="withdrawn", answered_at=now)
            .returning(*_OFFER)
        )
        return [_offer(r) for r in await self.session.execute(statement)]

    async def of_task(self, task_id: UUID) -> list[OfferRecord]:
        rows = await self.session.execute(
            select(*_OFFER)
            .where(offers.c.tenant_id == self.tenant_id, offers.c.task_id == task_id)
            .order_by(offers.c.made_at, offers.c.score.desc())
        )
        return [_offer(r) for r in rows]

    async def of_volunteer(self, volunteer_id: UUID, status: str | None) -> list[OfferRecord]:
        query = select(*_OFFER).where(
            offers.c.tenant_id == self.tenant_id, offers.c.volunteer_id == volunteer_id
        )
        if status is not None:
            query = query.where(offers.c.status == status)
        rows = await self.session.execute(query.order_by(offers.c.made_at.desc()).limit(200))
        return [_offer(r) for r in rows]

    async def offered(self, task_id: UUID, volunteer_id: UUID) -> bool:
        found = await self.session.scalar(
            select(offers.c.id).where(
                offers.c.tenant_id == self.tenant_id,
                offers.c.task_id == task_id,
                offers.c.volunteer_id == volunteer_id,
            )
        )
        return found is not None

    async def offered_volunteers(self, task_id: UUID) -> tuple[set[UUID], int]:
        """Everyone the task was ever offered to, and how many offers still wait."""
        rows = await self.session.execute(
            select(offers.c.volunteer_id, offers.c.status).where(
                offers.c.tenant_id == self.tenant_id, offers.c.task_id == task_id
            )
        )
        everyone, pending = set(), 0
        for volunteer_id, status in rows:
            everyone.add(volunteer_id)
            pending += status == "pending"
        return everyone, pending


class AssignmentsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def insert(self, values: dict[str, Any]) -> AssignmentRecord:
        statement = (
            assignments.insert().values(tenant_id=self.tenant_id, **values).returning(*_ASSIGNMENT)
        )
        return _assignment((await self.session.execute(statement)).one())

    async def get(self, assignment_id: UUID, *, lock: bool = False) -> AssignmentRecord | None:
        query = select(*_ASSIGNMENT).where(
            assignments.c.tenant_id == self.tenant_id, assignments.c.id == assignment_id
        )
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return _assignment(row) if row else None

    async def change(self, assignment_id: UUID, **values: Any) -> AssignmentRecord:
        statement = (
            update(assignments)
            .where(assignments.c.tenant_id == self.tenant_id, assignments.c.id == assignment_id)
            .values(**values)
            .returning(*_ASSIGNMENT)
        )
        return _assignment((await self.session.execute(statement)).one())

    async def of_task(self, task_id: UUID) -> list[AssignmentRecord]:
        rows = await self.session.execute(
            select(*_ASSIGNMENT)
            .where(assignments.c.tenant_id == self.tenant_id, assignments.c.task_id == task_id)
            .order_by(assignments.c.accepted_at)
        )
        return [_assignment(r) for r in rows]

    async def of_volunteer(self, volunteer_id: UUID, since: datetime) -> list[AssignmentRecord]:
        rows = await self.session.execute(
            select(*_ASSIGNMENT)
            .where(
                assignments.c.tenant_id == self.tenant_id,
                assignments.c.volunteer_id == volunteer_id,
                assignments.c.ends_at >= since,
            )
            .order_by(assignments.c.starts_at)
            .limit(200)
        )
        return [_assignment(r) for r in rows]

    async def no_shows_since(self, volunteer_id: UUID, since: datetime) -> int:
        count = await self.session.scalar(
            select(func.count()).where(
                assignments.c.tenant_id == self.tenant_id,
                assignments.c.volunteer_id == volunteer_id,
                assignments.c.status == "no_show",
                assignments.c.starts_at >= since,
            )
        )
        return int(count or 0)
