"""Volunteers' events as notices: offers and reminders to the volunteer, loans and holds to the
resident, ratings to the member."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from civicgrid.volunteers.v1 import events_pb2 as pb
from civicgrid_notifications.domain.notices import Notice
from civicgrid_notifications.events.incoming.notice_kit import moment, notice, optional_uuid
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.events.cloudevents import IncomingEvent

Rule = Callable[[IncomingEvent, UnitOfWork], Awaitable[list[Notice]]]


def _to(
    event: IncomingEvent, event_type: str, person: str, variables: dict[str, str]
) -> list[Notice]:
    person_id = optional_uuid(person, "person_id")
    return [] if person_id is None else [notice(event, event_type, variables, (person_id,))]


async def on_offer(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.OfferMade)
    variables = {"task_id": m.task_id, "expires_at": moment(m.expires_at)}
    return _to(event, "offer.made", m.person_id, variables)


async def on_reminder(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TaskReminder)
    return _to(
        event,
        "task.reminder",
        m.person_id,
        {"task_id": m.task_id, "starts_at": moment(m.starts_at)},
    )


async def on_rating(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.RatingPublished)
    return _to(event, "rating.published", m.person_id, {"month": m.month, "stars": str(m.stars)})


async def on_loan(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.LoanCreated)
    variables = {"loan_id": m.loan_id, "due_at": moment(m.due_at)}
    return _to(event, "loan.created", m.borrower_person_id, variables)


async def on_due_soon(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.LoanDueSoon)
    variables = {"loan_id": m.loan_id, "due_at": moment(m.due_at)}
    return _to(event, "loan.due_soon", m.borrower_person_id, variables)


async def on_overdue(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.LoanOverdue)
    variables = {"loan_id": m.loan_id, "due_at": moment(m.due_at)}
    return _to(event, "loan.overdue", m.borrower_person_id, variables)


async def on_hold_ready(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.HoldReady)
    variables = {"hold_id": m.hold_id, "kept_until": moment(m.kept_until)}
    return _to(event, "hold.ready", m.person_id, variables)


RULES: dict[str, Rule] = {
    "offer.made": on_offer,
    "task.reminder": on_reminder,
    "rating.published": on_rating,
    "loan.created": on_loan,
    "loan.due_soon": on_due_soon,
    "loan.overdue": on_overdue,
    "hold.ready": on_hold_ready,
}
