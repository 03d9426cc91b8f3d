"""Hours: posting minutes served (check-out calls post_hours), staff corrections, and reading a
volunteer's balance and statement or the community time bank's total.

Who may read a volunteer's hours: the volunteer themselves (the token's subject is their person
id) and community staff. Anyone else is answered as if the volunteer did not exist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_volunteers.db.ledger_repo import (
    LedgerRepository,
    StatementEntry,
    TimebankTotals,
    VolunteerRef,
)
from civicgrid_volunteers.domain.ledger import (
    CORRECTION,
    balance_after,
    corrected_day,
    posting,
)
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import (
    VolunteersContext,
    is_staff,
    person_of,
    require_staff,
)


async def post_hours(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    minutes: int,
    *,
    reason: str,
    worked_on: datetime,
    task_id: uuid.UUID | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> uuid.UUID:
    """Posts `minutes` between the volunteer's account and the time bank in the caller's
    transaction, adds hours.logged, and returns the posting id. Does not commit.

    reason: "check_out" (minutes > 0) or "correction" (signed, with actor_id and a note).
    Minutes taken back are refused (Conflict, field "minutes") where they would leave the
    volunteer's balance negative. Bad values raise InvalidInput naming the field."""
    checked = posting(
        volunteer_id,
        minutes,
        reason=reason,
        worked_on=worked_on,
        task_id=task_id,
        actor_id=actor_id,
        note=note,
    )
    ledger = LedgerRepository(uow.session, tenant_id)
    if checked.minutes < 0:
        await ledger.lock_account(volunteer_id)
        balance_after(await ledger.balance(volunteer_id), checked.minutes)
    posting_id = await ledger.post(checked)
    logged = events_pb2.HoursLogged(
        entry_id=str(posting_id),
        volunteer_id=str(volunteer_id),
        task_id=str(task_id) if task_id else "",
        minutes=checked.minutes,
        reason=checked.reason,
        actor_id=checked.actor_id or "",
    )
    uow.add_event(volunteer_event(tenant_id, volunteer_id, logged))
    return posting_id


@dataclass(frozen=True, slots=True)
class Correction:
    volunteer_id: uuid.UUID
    minutes: int
    note: str
    worked_on: date  # the day it concerns, in the district's zone
    task_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    posting_id: uuid.UUID
    volunteer_id: uuid.UUID
    minutes: int
    reason: str
    note: str
    task_id: uuid.UUID | None
    actor_id: str
    worked_on: datetime
    balance: int  # the volunteer's balance once posted


async def correct_hours(ctx: VolunteersContext, actor: Principal, fix: Correction) -> Posted:
    """Staff put a volunteer's hours right with an audited posting (who, why, which day)."""
    require_staff(actor, "correct a volunteer's hours")
    worked_on = corrected_day(fix.worked_on, ctx.default_timezone, ctx.clock())
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        ledger = LedgerRepository(uow.session, tenant_id)
        if await ledger.volunteer(fix.volunteer_id) is None:
            raise NotFound("no such volunteer in this district", field="volunteer_id")
        if fix.task_id is not None and not await ledger.task_exists(fix.task_id):
            raise NotFound("no such task in this district", field="task_id")
        posting_id = await post_hours(
            uow,
            tenant_id,
            fix.volunteer_id,
            fix.minutes,
            reason=CORRECTION,
            worked_on=worked_on,
            task_id=fix.task_id,
            actor_id=actor.subject,
            note=fix.note,
        )
        balance = await ledger.balance(fix.volunteer_id)
        await uow.commit()
    return Posted(
        posting_id,
        fix.volunteer_id,
        fix.minutes,
        CORRECTION,
        fix.note.strip(),
        fix.task_id,
        actor.subject,
        worked_on.astimezone(UTC),
        balance,
    )


@dataclass(frozen=True, slots=True)
class Statement:
    volunteer_id: uuid.UUID
    balance: int
    entries: list[StatementEntry]  # newest first; one more than asked when another page follows


async def statement(
    ctx: VolunteersContext,
    actor: Principal,
    volunteer_id: uuid.UUID | None,
    *,
    before_entry: int | None,
    limit: int,
) -> Statement:
    """A volunteer's balance and entries; volunteer_id None: the caller's own."""
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        ledger = LedgerRepository(uow.session, tenant_id)
        found = await _readable_volunteer(ledger, actor, volunteer_id)
        balance = await ledger.balance(found.volunteer_id)
        entries = await ledger.statement(found.volunteer_id, before_entry=before_entry, limit=limit)
    return Statement(found.volunteer_id, balance, entries)


async def timebank(ctx: VolunteersContext, actor: Principal) -> TimebankTotals:
    require_staff(actor, "read the community time bank")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await LedgerRepository(uow.session, tenant_id).timebank()


async def _readable_volunteer(
    ledger: LedgerRepository, actor: Principal, volunteer_id: uuid.UUID | None
) -> VolunteerRef:
    me = person_of(actor)
    if volunteer_id is None:
        if me is None:
            raise InvalidInput("this caller is not a person", field="volunteer_id")
        mine = await ledger.volunteer_of_person(me)
        if mine is None:
            raise NotFound("you are not registered as a volunteer", field="volunteer_id")
        return mine
    found = await ledger.volunteer(volunteer_id)
    if found is None or not (is_staff(actor) or found.person_id == me):
        raise NotFound("no such volunteer in this district", field="volunteer_id")
    return found
