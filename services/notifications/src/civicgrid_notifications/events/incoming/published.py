"""Every event type on the platform's topics and its payload message: what integrators can
subscribe to, and what the consumer decodes for them."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.grid.v1 import events_pb2 as grid
from civicgrid.identity.v1 import events_pb2 as identity
from civicgrid.notifications.v1 import events_pb2 as notifications
from civicgrid.tickets.v1 import events_pb2 as tickets
from civicgrid.volunteers.v1 import events_pb2 as volunteers


def _on(topic: str, names: dict[str, type[Message]]) -> dict[str, type[Message]]:
    return {f"{topic}.{name}": message for name, message in names.items()}


PUBLISHED: dict[str, type[Message]] = {
    **_on(
        "civicgrid.identity.v1",
        {
            "tenant.created": identity.TenantCreated,
            "person.registered": identity.PersonRegistered,
            "person.updated": identity.PersonUpdated,
            "role.granted": identity.RoleGranted,
            "role.revoked": identity.RoleRevoked,
            "device.bound": identity.DeviceBound,
        },
    ),
    **_on(
        "civicgrid.grid.v1",
        {
            "unit.created": grid.UnitCreated,
            "unit.updated": grid.UnitUpdated,
            "unit.retired": grid.UnitRetired,
            "department.changed": grid.DepartmentChanged,
            "district.imported": grid.DistrictImported,
        },
    ),
    **_on(
        "civicgrid.tickets.v1",
        {
            "ticket.created": tickets.TicketCreated,
            "ticket.routed": tickets.TicketRouted,
            "ticket.assigned": tickets.TicketAssigned,
            "ticket.status_changed": tickets.TicketStatusChanged,
            "ticket.transferred": tickets.TicketTransferred,
            "ticket.escalated": tickets.TicketEscalated,
            "ticket.sla_warning": tickets.TicketSlaWarning,
            "ticket.sla_breached": tickets.TicketSlaBreached,
            "ticket.commented": tickets.TicketCommented,
            "ticket.rated": tickets.TicketRated,
            "ticket.merged": tickets.TicketMerged,
            "meeting.scheduled": tickets.MeetingScheduled,
            "commitment.made": tickets.CommitmentMade,
            "commitment.overdue": tickets.CommitmentOverdue,
            "evaluation.published": tickets.EvaluationPublished,
            "rules.published": tickets.RulesPublished,
        },
    ),
    **_on(
        "civicgrid.volunteers.v1",
        {
            "volunteer.registered": volunteers.VolunteerRegistered,
            "task.created": volunteers.TaskCreated,
            "task.cancelled": volunteers.TaskCancelled,
            "task.reminder": volunteers.TaskReminder,
            "offer.made": volunteers.OfferMade,
            "offer.accepted": volunteers.OfferAccepted,
            "offer.declined": volunteers.OfferDeclined,
            "offer.expired": volunteers.OfferExpired,
            "task.filled": volunteers.TaskFilled,
            "task.completed": volunteers.TaskCompleted,
            "hours.logged": volunteers.HoursLogged,
            "no_show.recorded": volunteers.NoShowRecorded,
            "rating.published": volunteers.RatingPublished,
            "loan.created": volunteers.LoanCreated,
            "loan.due_soon": volunteers.LoanDueSoon,
            "loan.overdue": volunteers.LoanOverdue,
            "loan.returned": volunteers.LoanReturned,
            "hold.ready": volunteers.HoldReady,
        },
    ),
    **_on(
        "civicgrid.notifications.v1",
        {
            "alert.raised": notifications.AlertRaised,
            "alert.step_started": notifications.AlertStepStarted,
            "alert.escalated": notifications.AlertEscalated,
            "alert.acknowledged": notifications.AlertAcknowledged,
            "alert.on_site": notifications.AlertOnSite,
            "alert.resolved": notifications.AlertResolved,
            "delivery.failed": notifications.DeliveryFailed,
        },
    ),
}
