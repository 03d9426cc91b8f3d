"""One lifecycle step: may an actor with these relations take this action now, and what it records.

Pure. The use case loads the ticket, computes the actor's relations to it, calls `decide`, then
stores the new status, the history entry (the Transition plus the actor's id) and the event in
one transaction. The table itself lives in lifecycle_rules, re-exported here.

Refusals are checked in a fixed order, so the same request always gets the same answer:
Forbidden (no qualifying relation, or an excluded one), then Conflict (wrong state, or the
reopen window has passed), then InvalidInput (a detail missing, malformed or not taken).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from civicgrid_platform.errors import Conflict, DomainError, Forbidden, InvalidInput
from civicgrid_tickets.domain.lifecycle_rules import (
    DEFAULT_REOPEN_WINDOW,
    OPEN_STATES,
    PAUSING_STATES,
    RULES,
    TERMINAL_STATES,
    Action,
    Detail,
    Relation,
    Rule,
    TicketStatus,
)

__all__ = [
    "DEFAULT_REOPEN_WINDOW",
    "OPEN_STATES",
    "PAUSING_STATES",
    "RULES",
    "TERMINAL_STATES",
    "Action",
    "Detail",
    "Relation",
    "Rule",
    "TicketStatus",
    "Transition",
    "available_actions",
    "decide",
]

# The capacity recorded when one person holds several qualifying relations: staff capacity
# first, because history and evaluation attribute work to whoever was accountable for it.
_ACCOUNTABILITY_ORDER = (
    Relation.OWNER,
    Relation.SUPERVISOR,
    Relation.TENANT_ADMIN,
    Relation.REPORTER,
    Relation.SYSTEM,
    Relation.OTHER,
)
# Codes, not prose: evaluation counts rejections and transfers by them.
_REASON_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_RATINGS = range(1, 6)


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted step as history records it; the use case adds who the actor is."""

    action: Action
    from_status: TicketStatus
    to_status: TicketStatus
    acting_as: Relation
    at: datetime
    note: str | None = None
    reason_code: str | None = None
    meeting_id: UUID | None = None
    merge_target: UUID | None = None
    rating: int | None = None

    @property
    def changes_status(self) -> bool:
        return self.to_status != self.from_status

    @property
    def pauses_sla_clocks(self) -> bool:
        return self.to_status in PAUSING_STATES and self.from_status not in PAUSING_STATES

    @property
    def resumes_sla_clocks(self) -> bool:
        return self.from_status in PAUSING_STATES and self.to_status not in PAUSING_STATES


def decide(
    status: TicketStatus,
    action: Action,
    relations: AbstractSet[Relation],
    *,
    now: datetime,
    previous_status: TicketStatus | None = None,
    closed_at: datetime | None = None,
    reopen_window: timedelta = DEFAULT_REOPEN_WINDOW,
    ticket_id: UUID | None = None,
    note: str | None = None,
    reason_code: str | None = None,
    meeting_id: UUID | None = None,
    merge_target: UUID | None = None,
    rating: int | None = None,
) -> Transition:
    """The step `action` takes from `status`, or the domain error refusing it.

    previous_status: the state a waiting_on_resident ticket was waiting from (provide_info).
    closed_at: when a closed ticket closed (reopen window). ticket_id: refuses self-merges.
    ValueError means the caller passed inconsistent context (a bug, not a user's mistake).
    """
    _check_context(status, now, closed_at)
    refusal = _refusal(status, action, relations, now, closed_at, reopen_window)
    if refusal is not None:
        raise refusal
    rule = RULES[action]
    note = _blank_to_none(note)
    reason_code = _blank_to_none(reason_code)
    _check_details(
        action,
        rule,
        {
            Detail.NOTE: note,
            Detail.REASON_CODE: reason_code,
            Detail.MEETING_ID: meeting_id,
            Detail.MERGE_TARGET: merge_target,
            Detail.RATING: rating,
        },
    )
    if reason_code is not None and not _REASON_CODE.fullmatch(reason_code):
        raise InvalidInput(
            "reason_code must be a lowercase code of letters, digits and underscores",
            field=Detail.REASON_CODE.value,
        )
    # bool is an int in Python; True must not pass for a rating of 1.
    if rating is not None and (isinstance(rating, bool) or rating not in _RATINGS):
        raise InvalidInput("rating must be a whole number from 1 to 5", field=Detail.RATING.value)
    if merge_target is not None and merge_target == ticket_id:
        raise InvalidInput("a ticket cannot be merged into itself", field=Detail.MERGE_TARGET.value)
    return Transition(
        action=action,
        from_status=status,
        to_status=_target(rule, status, previous_status),
        acting_as=next(r for r in _ACCOUNTABILITY_ORDER if r in relations and r in rule.relations),
        at=now,
        note=note,
        reason_code=reason_code,
        meeting_id=meeting_id,
        merge_target=merge_target,
        rating=rating,
    )


def available_actions(
    status: TicketStatus,
    relations: AbstractSet[Relation],
    *,
    now: datetime,
    closed_at: datetime | None = None,
    reopen_window: timedelta = DEFAULT_REOPEN_WINDOW,
) -> tuple[Action, ...]:
    """The actions `decide` would accept from this actor now, given valid details (for UIs)."""
    _check_context(status, now, closed_at)
    return tuple(
        action
        for action in Action
        if _refusal(status, action, relations, now, closed_at, reopen_window) is None
    )


def _check_context(status: TicketStatus, now: datetime, closed_at: datetime | None) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if status is TicketStatus.CLOSED and closed_at is None:
        raise ValueError("closed_at is required for a closed ticket (it sets the reopen window)")
    if closed_at is not None and closed_at.tzinfo is None:
        raise ValueError("closed_at must be timezone-aware")


def _refusal(
    status: TicketStatus,
    action: Action,
    relations: AbstractSet[Relation],
    now: datetime,
    closed_at: datetime | None,
    reopen_window: timedelta,
) -> DomainError | None:
    rule = RULES[action]
    qualifying = relations & rule.relations
    if not qualifying:
        return Forbidden(f"only {_names(rule.relations, 'or')} may {action} this ticket")
    barred = relations & rule.excluded
    if barred:
        return Forbidden(
            f"the ticket's {_names(barred, 'or')} may not {action} it,"
            f" even as its {_names(qualifying, 'and')}"
        )
    if status not in rule.from_states:
        return Conflict(
            f"cannot {action} a ticket that is {status}"
            f" (only one that is {_names(rule.from_states, 'or')})"
        )
    if action is Action.REOPEN and status is TicketStatus.CLOSED:
        assert closed_at is not None  # _check_context guarantees it
        window_ended = closed_at + reopen_window
        if now > window_ended:
            return Conflict(
                f"the reopen window ended at {window_ended.isoformat()}, {reopen_window}"
                " after the ticket closed"
            )
    return None


def _check_details(action: Action, rule: Rule, given: dict[Detail, object]) -> None:
    for detail in Detail:
        present = given[detail] is not None
        if not present and detail in rule.required:
            raise InvalidInput(f"{action} needs a {detail}", field=detail.value)
        if present and detail not in rule.accepted:
            raise InvalidInput(f"{action} does not take a {detail}", field=detail.value)


def _target(rule: Rule, status: TicketStatus, previous_status: TicketStatus | None) -> TicketStatus:
    if rule.returns_to_previous:
        # The ticket goes back to where it was waiting from: a state request_info may leave.
        waiting_from = RULES[Action.REQUEST_INFO].from_states
        if previous_status is None or previous_status not in waiting_from:
            raise ValueError(
                f"previous_status must be one of {_names(waiting_from, 'or')},"
                f" got {previous_status}"
            )
        return previous_status
    return rule.to if rule.to is not None else status


def _blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def _names(values: AbstractSet[str], conjunction: str) -> str:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return f"{', '.join(ordered[:-1])} {conjunction} {ordered[-1]}"
