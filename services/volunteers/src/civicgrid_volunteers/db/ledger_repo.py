"""The hours ledger, always within one tenant. Entries are only ever inserted: the database
refuses updates and deletes, and refuses at commit a posting whose entries do not sum to zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import ledger_entries, tasks, volunteers
from civicgrid_volunteers.domain.ledger import TIMEBANK, Posting, volunteer_account

_e = ledger_entries.c
# Serialises postings that take minutes back from one account, so two at once cannot both see
# the balance before the other and together take it below zero.
_LOCK_ACCOUNT = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


@dataclass(frozen=True, slots=True)
class StatementEntry:
    entry_id: int
    posting_id: UUID
    minutes: int
    balance_after: int  # the account's balance once this entry was posted
    reason: str
    note: str
    task_id: UUID | None
    actor_id: str | None
    worked_on: datetime
    posted_at: datetime


@dataclass(frozen=True, slots=True)
class TimebankTotals:
    balance: int  # minus every minute the community has been given
    volunteers: int  # volunteers with at least one posting
    postings: int


@dataclass(frozen=True, slots=True)
class VolunteerRef:
    volunteer_id: UUID
    person_id: UUID


class LedgerRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def post(self, posting: Posting) -> UUID:
        """Writes the posting's two entries (both carry the volunteer) and returns its id."""
        posting_id = uuid4()
        rows = [
            {
                "tenant_id": self.tenant_id,
                "posting_id": posting_id,
                "account": leg.account,
                "minutes": leg.minutes,
                "volunteer_id": posting.volunteer_id,
                "task_id": posting.task_id,
                "reason": posting.reason,
                "note": posting.note,
                "actor_id": posting.actor_id,
                "worked_on": posting.worked_on,
            }
            for leg in posting.legs
        ]
        await self.session.execute(insert(ledger_entries), rows)
        return posting_id

    async def lock_account(self, volunteer_id: UUID) -> None:
        """Held until the transaction ends."""
        key = f"ledger:{self.tenant_id}:{volunteer_account(volunteer_id)}"
        await self.session.execute(_LOCK_ACCOUNT, {"key": key})

    async def balance(self, volunteer_id: UUID) -> int:
        query = select(func.coalesce(func.sum(_e.minutes), 0)).where(
            _e.tenant_id == self.tenant_id,
            _e.volunteer_id == volunteer_id,
            _e.account == volunteer_account(volunteer_id),
        )
        return int((await self.session.execute(query)).scalar_one())

    async def statement(
        self, volunteer_id: UUID, *, before_entry: int | None, limit: int
    ) -> list[StatementEntry]:
        """The volunteer's entries, newest posting first, each with the balance it left."""
        running = func.sum(_e.minutes).over(order_by=_e.id, rows=(None, 0)).label("balance_after")
        entries = (
            select(
                _e.id,
                _e.posting_id,
                _e.minutes,
                running,
                _e.reason,
                _e.note,
                _e.task_id,
                _e.actor_id,
                _e.worked_on,
                _e.created_at,
            )
            .where(
                _e.tenant_id == self.tenant_id,
                _e.volunteer_id == volunteer_id,
                _e.account == volunteer_account(volunteer_id),
            )
            .subquery()
        )
        query = select(entries).order_by(entries.c.id.desc()).limit(limit)
        if before_entry is not None:
            query = query.where(entries.c.id < before_entry)
        return [StatementEntry(*row) for row in await self.session.execute(query)]

    async def timebank(self) -> TimebankTotals:
        query = select(
            func.coalesce(func.sum(_e.minutes), 0),
            func.count(func.distinct(_e.volunteer_id)),
            func.count(),
        ).where(_e.tenant_id == self.tenant_id, _e.account == TIMEBANK)
        balance, people, postings = (await self.session.execute(query)).one()
        return TimebankTotals(int(balance), int(people), int(postings))

    async def volunteer(self, volunteer_id: UUID) -> VolunteerRef | None:
        query = select(volunteers.c.id, volunteers.c.person_id).where(
            volunteers.c.tenant_id == self.tenant_id, volunteers.c.id == volunteer_id
        )
        row = (await self.session.execute(query)).first()
        return VolunteerRef(*row) if row else None

    async def volunteer_of_person(self, person_id: UUID) -> VolunteerRef | None:
        query = select(volunteers.c.id, volunteers.c.person_id).where(
            volunteers.c.tenant_id == self.tenant_id, volunteers.c.person_id == person_id
        )
        row = (await self.session.execute(query)).first()
        return VolunteerRef(*row) if row else None

    async def task_exists(self, task_id: UUID) -> bool:
        query = select(tasks.c.id).where(tasks.c.tenant_id == self.tenant_id, tasks.c.id == task_id)
        return (await self.session.execute(query)).first() is not None
