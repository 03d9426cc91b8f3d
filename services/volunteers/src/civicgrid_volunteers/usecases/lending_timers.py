"""The lending station's timers: reminders before and after a loan's due date, lapsed holds.

Each handler runs in run_due's unit of work (bound to the timer's district; run_due commits)
and does nothing when the loan came back or the hold ended meanwhile, so a timer that fires
late or twice has no second effect."""

from __future__ import annotations

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.timers import DueTimer
from civicgrid_volunteers.db.lending_repo import LendingRepository
from civicgrid_volunteers.domain.lending import (
    DUE_SOON_TIMER,
    HOLD_LAPSE_TIMER,
    OVERDUE_TIMER,
    next_overdue_reminder,
)
from civicgrid_volunteers.events.messages import timestamp as stamp
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.lending_holds import lapse_hold
from civicgrid_volunteers.usecases.timers import TimerHandler


async def remind_due_soon(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """The borrower is reminded once before the due date, if the loan is still out and not yet
    due (past the due date, the overdue reminder speaks instead)."""
    repo = LendingRepository(uow.session, timer.tenant_id)
    loan = await repo.loan(timer.subject_id, lock=True)
    now = ctx.clock()
    if loan is None or loan.returned_at is not None or loan.due_soon_sent_at is not None:
        return
    if now >= loan.due_at:
        return
    await repo.set_loan(loan.id, due_soon_sent_at=now)
    message = events_pb2.LoanDueSoon(
        loan_id=str(loan.id),
        borrower_person_id=str(loan.borrower_person_id),
        due_at=stamp(loan.due_at),
    )
    uow.add_event(volunteer_event(timer.tenant_id, loan.id, message))


async def remind_overdue(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """Past the due date, the borrower is reminded, and again every couple of days while the
    loan stays out."""
    repo = LendingRepository(uow.session, timer.tenant_id)
    loan = await repo.loan(timer.subject_id, lock=True)
    now = ctx.clock()
    if loan is None or loan.returned_at is not None:
        return
    session = uow.session
    if now < loan.due_at:  # fired early (a clock step): wait for the due date
        await timers.schedule(session, timer.tenant_id, OVERDUE_TIMER, loan.id, loan.due_at)
        return
    await repo.set_loan(loan.id, overdue_sent_at=now)
    message = events_pb2.LoanOverdue(
        loan_id=str(loan.id),
        borrower_person_id=str(loan.borrower_person_id),
        due_at=stamp(loan.due_at),
    )
    uow.add_event(volunteer_event(timer.tenant_id, loan.id, message))
    await timers.schedule(
        session, timer.tenant_id, OVERDUE_TIMER, loan.id, next_overdue_reminder(now)
    )


async def lapse(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    await lapse_hold(ctx, uow, timer.tenant_id, timer.subject_id)


LENDING_TIMERS: dict[str, TimerHandler] = {
    DUE_SOON_TIMER: remind_due_soon,
    OVERDUE_TIMER: remind_overdue,
    HOLD_LAPSE_TIMER: lapse,
}
