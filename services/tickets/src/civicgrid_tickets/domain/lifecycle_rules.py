"""The ticket lifecycle as data: states, actions, who may take each action from which states.

`lifecycle.decide` enforces this table; documentation, UIs and the SLA code read it. Decisions
the product text left open, fixed here:

- `reopened` means "back with the same owner, not yet looked at again": like `submitted`, it
  leaves only by `acknowledge` (or transfer, escalate, reject, merge), so the acknowledgement
  deadline applies again to a reopened ticket.
- `transfer` sends the ticket back to `submitted` from any open state: the receiving owner has
  not seen it yet and must acknowledge it; a wait or hold belonged to the previous owner's
  handling. `escalate` keeps the state: the same work continues one level up.
- Terminal states (closed, rejected, merged) are never left, except closed → reopened within
  the reopen window. Notes (comment, callback) are still taken there, so a resident can answer
  a rejection and staff can record that they explained it; rating is taken on resolved/closed.
- The owner may not confirm or rate their own work, even when they also reported the ticket
  (staff report on patrol): such a ticket closes by `auto_close`, and satisfaction figures
  only hold residents' judgements.
- A tenant admin fixes routing (transfer) and may comment; working a case is for the chain of
  responsibility, whose actions the monthly evaluation counts.
- Every ownership change (transfer, escalate) carries a reason code, so evaluation can tell
  timer-driven escalations (the system passes its own code) from requested ones.
- The system also acknowledges, starts and resolves a ticket that follows an outside process
  (an elderly resident's emergency alert, whose chain runs in notifications): it records what
  people did there. No person ever acts as the system (relations_of never yields it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType


class TicketStatus(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_RESIDENT = "waiting_on_resident"
    ON_HOLD = "on_hold"  # awaiting a joint-meeting commitment
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"
    REOPENED = "reopened"


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    HOLD = "hold"
    RELEASE = "release"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    AUTO_CLOSE = "auto_close"
    REOPEN = "reopen"
    REJECT = "reject"
    MERGE = "merge"
    COMMENT = "comment"
    CALLBACK = "callback"
    RATE = "rate"
    TRANSFER = "transfer"
    ESCALATE = "escalate"


class Relation(StrEnum):
    """How the actor stands to this ticket; computed by the use case, a person may hold several."""

    REPORTER = "reporter"
    OWNER = "owner"
    SUPERVISOR = "supervisor"  # a role above the owner's level, within the ticket's ancestry
    TENANT_ADMIN = "tenant_admin"
    SYSTEM = "system"  # timers, and the alert chain a ticket follows
    OTHER = "other"


class Detail(StrEnum):
    """What an action may carry besides who and when; the values are the request field names."""

    NOTE = "note"
    REASON_CODE = "reason_code"
    MEETING_ID = "meeting_id"
    MERGE_TARGET = "merge_target"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class Rule:
    from_states: frozenset[TicketStatus]
    relations: frozenset[Relation]
    to: TicketStatus | None  # None: the status does not change
    required: frozenset[Detail] = frozenset()
    # Relations that refuse the actor even when another of their relations qualifies.
    excluded: frozenset[Relation] = frozenset()
    # provide_info goes back to the state the ticket was waiting from; `to` is then None.
    returns_to_previous: bool = False

    @property
    def accepted(self) -> frozenset[Detail]:
        # A note may explain any action; other details only go where they mean something.
        return self.required | {Detail.NOTE}


TERMINAL_STATES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.CLOSED, TicketStatus.REJECTED, TicketStatus.MERGED}
)
OPEN_STATES: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.SUBMITTED,
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_ON_RESIDENT,
        TicketStatus.ON_HOLD,
        TicketStatus.REOPENED,
    }
)
# SLA clocks stop while the ticket waits on someone outside the owner's control, and run again
# when it leaves these states. A hold needs a joint-meeting reference, so staff cannot pause a
# clock on their own word.
PAUSING_STATES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.WAITING_ON_RESIDENT, TicketStatus.ON_HOLD}
)

# How long after closing the reporter may still reopen; a tenant may pass its own.
DEFAULT_REOPEN_WINDOW = timedelta(days=14)

_ALL_STATES = frozenset(TicketStatus)
_STAFF = frozenset({Relation.OWNER, Relation.SUPERVISOR})
_STAFF_OR_SYSTEM = _STAFF | {Relation.SYSTEM}

RULES: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.ACKNOWLEDGE: Rule(
            frozenset({TicketStatus.SUBMITTED, TicketStatus.REOPENED}),
            _STAFF_OR_SYSTEM,
            TicketStatus.ACKNOWLEDGED,
        ),
        Action.START: Rule(
            frozenset({TicketStatus.ACKNOWLEDGED}), _STAFF_OR_SYSTEM, TicketStatus.IN_PROGRESS
        ),
        Action.REQUEST_INFO: Rule(
            frozenset({TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS}),
            _STAFF,
            TicketStatus.WAITING_ON_RESIDENT,
            required=frozenset({Detail.NOTE}),  # the question the resident must answer
        ),
        # Staff may record an answer given by phone: ending a pause only costs them clock time.
        Action.PROVIDE_INFO: Rule(
            frozenset({TicketStatus.WAITING_ON_RESIDENT}),
            _STAFF | {Relation.REPORTER},
            None,
            returns_to_previous=True,
        ),
        Action.HOLD: Rule(
            frozenset({TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS}),
            _STAFF,
            TicketStatus.ON_HOLD,
            required=frozenset({Detail.MEETING_ID}),
        ),
        Action.RELEASE: Rule(frozenset({TicketStatus.ON_HOLD}), _STAFF, TicketStatus.IN_PROGRESS),
        Action.RESOLVE: Rule(
            frozenset({TicketStatus.IN_PROGRESS}),
            _STAFF_OR_SYSTEM,
            TicketStatus.RESOLVED,
            required=frozenset({Detail.NOTE}),
        ),
        Action.CONFIRM: Rule(
            frozenset({TicketStatus.RESOLVED}),
            frozenset({Relation.REPORTER}),
            TicketStatus.CLOSED,
            excluded=frozenset({Relation.OWNER}),
        ),
        Action.AUTO_CLOSE: Rule(
            frozenset({TicketStatus.RESOLVED}), frozenset({Relation.SYSTEM}), TicketStatus.CLOSED
        ),
        # From closed only within the reopen window (checked by decide). A supervisor may
        # reopen work a quality check found unfinished.
        Action.REOPEN: Rule(
            frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED}),
            frozenset({Relation.REPORTER, Relation.SUPERVISOR}),
            TicketStatus.REOPENED,
            required=frozenset({Detail.NOTE}),  # what is still wrong, for the owner
        ),
        Action.REJECT: Rule(
            OPEN_STATES, _STAFF, TicketStatus.REJECTED, required=frozenset({Detail.REASON_CODE})
        ),
        Action.MERGE: Rule(
            OPEN_STATES, _STAFF, TicketStatus.MERGED, required=frozenset({Detail.MERGE_TARGET})
        ),
        Action.COMMENT: Rule(
            _ALL_STATES,
            _STAFF | {Relation.REPORTER, Relation.TENANT_ADMIN},
            None,
            required=frozenset({Detail.NOTE}),
        ),
        Action.CALLBACK: Rule(_ALL_STATES, _STAFF, None, required=frozenset({Detail.NOTE})),
        Action.RATE: Rule(
            frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED}),
            frozenset({Relation.REPORTER}),
            None,
            required=frozenset({Detail.RATING}),
            excluded=frozenset({Relation.OWNER}),
        ),
        Action.TRANSFER: Rule(
            OPEN_STATES,
            _STAFF | {Relation.TENANT_ADMIN},
            TicketStatus.SUBMITTED,
            required=frozenset({Detail.REASON_CODE}),
        ),
        Action.ESCALATE: Rule(
            OPEN_STATES, _STAFF | {Relation.SYSTEM}, None, required=frozenset({Detail.REASON_CODE})
        ),
    }
)
