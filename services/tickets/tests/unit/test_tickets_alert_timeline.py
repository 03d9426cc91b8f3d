"""What an emergency alert's facts mean for the ticket that follows it: which lifecycle steps
take it where the alert is, and when the ticket is left to the staff who moved it elsewhere."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from civicgrid_tickets.domain.alerts import RaisedAlert, resolved, steps_towards
from civicgrid_tickets.domain.lifecycle import Relation, TicketStatus, decide

AT = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "target", "steps"),
    [
        ("submitted", "acknowledged", ["acknowledge"]),
        ("reopened", "acknowledged", ["acknowledge"]),
        ("submitted", "in_progress", ["acknowledge", "start"]),
        ("submitted", "resolved", ["acknowledge", "start", "resolve"]),
        ("acknowledged", "resolved", ["start", "resolve"]),
        ("in_progress", "resolved", ["resolve"]),
        # There already, or beyond: nothing to do.
        ("acknowledged", "acknowledged", []),
        ("in_progress", "acknowledged", []),
        ("resolved", "in_progress", []),
        # Staff moved it off the main path: the ticket stays theirs.
        ("waiting_on_resident", "resolved", []),
        ("on_hold", "resolved", []),
        ("closed", "acknowledged", []),
        ("rejected", "resolved", []),
        ("merged", "resolved", []),
    ],
)
def test_tickets_alert_steps_towards_the_alerts_status(
    status: str, target: str, steps: list[str]
) -> None:
    assert steps_towards(TicketStatus(status), TicketStatus(target)) == steps


def test_tickets_alert_steps_are_ones_the_system_may_take() -> None:
    status = TicketStatus.SUBMITTED
    fact = resolved("hospital", "", "王芳", AT)
    for action in steps_towards(status, TicketStatus.RESOLVED):
        status = decide(status, action, {Relation.SYSTEM}, now=AT, note=fact.note).to_status
    assert status is TicketStatus.RESOLVED


def test_tickets_alert_drills_are_recognised_by_flag_or_source() -> None:
    def alert(source: str, drill: bool) -> RaisedAlert:
        return RaisedAlert(uuid.uuid4(), uuid.uuid4(), source, drill, None, "", AT)

    assert alert("drill", False).is_drill
    assert alert("device", True).is_drill
    assert not alert("worker", False).is_drill
