"""A ticket that follows an elderly resident's emergency alert: what the alert's facts mean for
it (which lifecycle steps, which timeline notes) and the words it carries, in the district's
language (the standard catalogue's).

The alert chain runs in the notifications service; the ticket only records it, with the system
as the actor. Drills make no ticket: they exercise the chain, not the grid's workload, and
would count in the monthly evaluation."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from civicgrid_tickets.domain.lifecycle import Action, TicketStatus

# The built-in category every alert ticket gets, whatever the district did with its catalogue.
ALERT_CATEGORY = "elderly_alert"
ALERT_CHANNEL = "elderly_alert"
ALERT_PRIORITY = "P0"

_SOURCES = {"device": "一键呼叫按钮", "worker": "社区工作人员代为发起"}
_VIA = {"api": "应用", "sms": "短信回复", "voice": "电话按键"}
_OUTCOMES = {
    "false_alarm": "误报",
    "helped_at_home": "已上门处置",
    "hospital": "已送医",
    "drill_passed": "演练通过",
}
_STEP_REASONS = {
    "raised": "发起求助",
    "no_acknowledgement": "无人确认",
    "not_on_site": "未按时到场",
}

# The main path of the lifecycle, and the step that leaves each of its states.
_RANK = {
    TicketStatus.SUBMITTED: 0,
    TicketStatus.REOPENED: 0,
    TicketStatus.ACKNOWLEDGED: 1,
    TicketStatus.IN_PROGRESS: 2,
    TicketStatus.RESOLVED: 3,
}
_LEAVING = (Action.ACKNOWLEDGE, Action.START, Action.RESOLVE)


def idempotency_key(alert_id: UUID) -> str:
    """The ticket's intake key: one ticket per alert, however often its raising is replayed
    (a gRPC CreateTicket with the same key finds the same ticket)."""
    return f"alert:{alert_id}"


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """An alert as its raising describes it: whose, where, how, and when."""

    id: UUID
    person_id: UUID
    source: str  # device (a press), worker (on the person's behalf) or drill
    drill: bool
    grid_id: UUID | None
    address: str
    raised_at: datetime
    person_name: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def is_drill(self) -> bool:
        return self.drill or self.source == "drill"

    @property
    def description(self) -> str:
        how = _SOURCES.get(self.source, _SOURCES["device"])
        where = f"，地址：{self.address.strip()}" if self.address.strip() else ""
        who = f"{self.person_name.strip()}：" if self.person_name.strip() else ""
        return f"{who}独居老人紧急求助（{how}）{where}"


@dataclass(frozen=True, slots=True)
class AlertFact:
    """Something the alert chain did, as the ticket's timeline records it."""

    kind: str  # the alert event's name: acknowledged, on_site, resolved, escalated, ...
    at: datetime
    note: str
    details: dict[str, Any] = field(default_factory=dict)
    # The status the fact means the ticket has reached; None: a note on the timeline only.
    reaches: TicketStatus | None = None

    @property
    def action(self) -> str:
        """The history line's action when the fact moves nothing."""
        return f"alert_{self.kind}"


def steps_towards(status: TicketStatus, target: TicketStatus) -> list[Action]:
    """The lifecycle steps that take a ticket from `status` to `target` along the main path
    (submitted → acknowledged → in_progress → resolved). None are needed when it is there or
    beyond already; none are taken when staff moved it off that path (waiting, held, closed,
    rejected, merged): the alert's fact is then only noted, and the ticket stays theirs."""
    here, there = _RANK.get(status), _RANK[target]
    if here is None or here >= there:
        return []
    return list(_LEAVING[here:there])


def acknowledged(responder: str, name: str, via: str, at: datetime) -> AlertFact:
    who = name or responder or "应答人"
    how = _VIA.get(via, via or "未知方式")
    return AlertFact(
        "acknowledged",
        at,
        f"{who}已通过{how}确认接警",
        {"responder": responder, "responder_name": name, "via": via},
        TicketStatus.ACKNOWLEDGED,
    )


def on_site(responder: str, at: datetime) -> AlertFact:
    return AlertFact(
        "on_site",
        at,
        f"{responder or '应答人'}已到达现场",
        {"responder": responder},
        TicketStatus.IN_PROGRESS,
    )


def resolved(outcome: str, note: str, resolved_by: str, at: datetime) -> AlertFact:
    text = f"处置结果：{_OUTCOMES.get(outcome, outcome or '未说明')}"
    if note.strip():
        text += f"。{note.strip()}"
    return AlertFact(
        "resolved",
        at,
        text,
        {"outcome": outcome, "resolved_by": resolved_by},
        TicketStatus.RESOLVED,
    )


def escalated(from_step: int, to_step: int, reason: str, at: datetime) -> AlertFact:
    why = _STEP_REASONS.get(reason, reason)
    return AlertFact(
        "escalated",
        at,
        f"紧急求助升级：第{from_step}步 → 第{to_step}步（{why}）",
        {"from_step": from_step, "to_step": to_step, "reason": reason},
    )


def step_started(step: int, reason: str, recipients: int, at: datetime) -> AlertFact:
    why = _STEP_REASONS.get(reason, reason)
    return AlertFact(
        "step_started",
        at,
        f"紧急求助第{step}步：已通知{recipients}人（{why}）",
        {"step": step, "reason": reason, "recipients": recipients},
    )
