"""A ticket's two SLA clocks (acknowledge, resolve) as one value: started at intake, paused
while the ticket waits on the resident or on a meeting, stopped when their step is done,
restarted when the ticket climbs a level or is reopened; and the timers they need."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from civicgrid_tickets.domain.calendar import WorkingCalendar
from civicgrid_tickets.domain.sla import ClockKind, Priority, SlaClock, SlaPolicy, SlaTarget

# Version 1 of every district's policy until it sets its own: emergencies count every minute,
# everything else counts working time. The body is what a tenant admin would publish for it.
DEFAULT_POLICY_BODY: Final[dict[str, Any]] = {
    "targets": [
        {
            "category": "*",
            "priority": "P0",
            "acknowledge_within_minutes": 15,
            "resolve_within_minutes": 240,
            "working_time": False,
        },
        {
            "category": "*",
            "priority": "P1",
            "acknowledge_within_minutes": 120,
            "resolve_within_minutes": 8 * 60,
        },
        {
            "category": "*",
            "priority": "P2",
            "acknowledge_within_minutes": 4 * 60,
            "resolve_within_minutes": 3 * 8 * 60,
        },
        {
            "category": "*",
            "priority": "P3",
            "acknowledge_within_minutes": 8 * 60,
            "resolve_within_minutes": 5 * 8 * 60,
        },
    ],
}
DEFAULT_POLICY = SlaPolicy.from_dict({"version": 1, **DEFAULT_POLICY_BODY})


# The sla_timers clock of a joint-meeting commitment's deadline.
COMMITMENT_CLOCK = "commitment"


@dataclass(frozen=True, slots=True)
class Timer:
    clock: str  # acknowledge | resolve
    kind: str  # warning | breach
    due_at: datetime


@dataclass(frozen=True, slots=True)
class TicketClocks:
    acknowledge: SlaClock | None
    resolve: SlaClock | None

    @classmethod
    def start(cls, policy: SlaPolicy, category: str, priority: str, at: datetime) -> TicketClocks:
        target = policy.target_for(category, Priority(priority))
        return cls(
            SlaClock.start(ClockKind.ACKNOWLEDGE, target, at),
            SlaClock.start(ClockKind.RESOLVE, target, at),
        )

    def _each(self) -> list[SlaClock]:
        return [c for c in (self.acknowledge, self.resolve) if c is not None]

    def pause(self, at: datetime) -> TicketClocks:
        return TicketClocks(*(c.pause(at) if c and not c.is_paused else c for c in self._pair()))

    def resume(self, at: datetime, calendar: WorkingCalendar) -> TicketClocks:
        return TicketClocks(
            *(c.resume(at, calendar) if c and c.is_paused else c for c in self._pair())
        )

    def stop(self, clock: ClockKind) -> TicketClocks:
        if clock is ClockKind.ACKNOWLEDGE:
            return replace(self, acknowledge=None)
        return replace(self, resolve=None)

    def restart_resolve(self, target: SlaTarget, at: datetime) -> TicketClocks:
        """A new owner (a level up) gets the full resolution budget from now."""
        return replace(self, resolve=SlaClock.start(ClockKind.RESOLVE, target, at))

    def _pair(self) -> tuple[SlaClock | None, SlaClock | None]:
        return self.acknowledge, self.resolve

    def deadlines(self, calendar: WorkingCalendar) -> tuple[datetime | None, datetime | None]:
        return (
            self.acknowledge.deadline(calendar) if self.acknowledge else None,
            self.resolve.deadline(calendar) if self.resolve else None,
        )

    def timers(self, calendar: WorkingCalendar) -> list[Timer]:
        """A warning and a breach for each running clock (none while paused)."""
        found = []
        for clock in self._each():
            warn, breach = clock.warn_at(calendar), clock.deadline(calendar)
            if warn is not None and breach is not None:
                found.append(Timer(clock.kind.value, "warning", warn))
                found.append(Timer(clock.kind.value, "breach", breach))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {c.kind.value: _clock_dict(c) for c in self._each()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TicketClocks:
        data = data or {}
        ack, res = data.get("acknowledge"), data.get("resolve")
        return cls(_clock(ack) if ack else None, _clock(res) if res else None)


def _clock_dict(c: SlaClock) -> dict[str, Any]:
    return {
        "kind": c.kind.value,
        "started_at": c.started_at.isoformat(),
        "budget_s": c.budget.total_seconds(),
        "working_time": c.working_time,
        "warn_at_share": c.warn_at_share,
        "paused_since": c.paused_since.isoformat() if c.paused_since else None,
        "paused_total_s": c.paused_total.total_seconds(),
    }


def _clock(d: dict[str, Any]) -> SlaClock:
    return SlaClock(
        kind=ClockKind(d["kind"]),
        started_at=datetime.fromisoformat(d["started_at"]),
        budget=timedelta(seconds=d["budget_s"]),
        working_time=bool(d["working_time"]),
        warn_at_share=float(d["warn_at_share"]),
        paused_since=datetime.fromisoformat(d["paused_since"]) if d["paused_since"] else None,
        paused_total=timedelta(seconds=d["paused_total_s"]),
    )
