"""One deadline clock of one ticket (acknowledge or resolve), as an immutable value.

The clock counts working time (wall time for 24/7 targets) from started_at. While the ticket
waits on the resident or is on hold, the clock is paused: time spent paused does not count, so
after resuming the deadline moves later by the time the pause took, measured like the budget.
Every change returns a new clock, for the use case to store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from civicgrid_platform.errors import Conflict
from civicgrid_tickets.domain.calendar import WorkingCalendar, as_utc

if TYPE_CHECKING:
    from civicgrid_tickets.domain.sla import SlaTarget  # sla imports this module

_ZERO = timedelta(0)


class ClockKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class ClockState(StrEnum):
    OK = "ok"
    WARNING = "warning"  # past the policy's share of the budget
    BREACHED = "breached"  # the budget has run out; stays so even if paused afterwards
    PAUSED = "paused"


class TimeMeasure(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def between(self, a: datetime, b: datetime) -> timedelta: ...


class _WallClock:
    """24/7 time for emergencies: every second counts, and in UTC, so a DST change neither
    adds an hour to the budget nor takes one away."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return as_utc(start, "start") + duration

    def between(self, a: datetime, b: datetime) -> timedelta:
        return max(as_utc(b, "b") - as_utc(a, "a"), _ZERO)


WALL_CLOCK = _WallClock()


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Instants are kept in UTC; `paused_total` is time already spent paused, measured like the
    budget (working time, or wall time if `working_time` is false), which does not count."""

    kind: ClockKind
    started_at: datetime
    budget: timedelta
    working_time: bool = True
    warn_at_share: float = 0.8
    paused_since: datetime | None = None
    paused_total: timedelta = _ZERO

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ClockKind(self.kind))  # as read back from storage
        object.__setattr__(self, "started_at", as_utc(self.started_at, "started_at"))
        if self.paused_since is not None:
            paused_since = as_utc(self.paused_since, "paused_since")
            object.__setattr__(self, "paused_since", paused_since)
        if self.budget <= _ZERO:
            raise ValueError("budget must be positive")
        if self.paused_total < _ZERO:
            raise ValueError("paused_total must not be negative")
        _check_share(self.warn_at_share)

    @classmethod
    def start(cls, kind: ClockKind, target: SlaTarget, at: datetime) -> SlaClock:
        """A running clock for one of the target's two budgets."""
        acknowledging = ClockKind(kind) == ClockKind.ACKNOWLEDGE
        return cls(
            kind=kind,
            started_at=at,
            budget=target.acknowledge_within if acknowledging else target.resolve_within,
            working_time=target.working_time,
            warn_at_share=target.warn_at_share,
        )

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def pause(self, at: datetime) -> SlaClock:
        if self.paused_since is not None:
            raise Conflict(f"the {self.kind} clock is already paused")
        if as_utc(at, "at") < self.started_at:
            raise ValueError("a clock cannot be paused before it started")
        return replace(self, paused_since=at)

    def resume(self, at: datetime, calendar: WorkingCalendar) -> SlaClock:
        """The calendar measures the pause, so the deadline moves by working time only."""
        if self.paused_since is None:
            raise Conflict(f"the {self.kind} clock is not paused")
        if as_utc(at, "at") < self.paused_since:
            raise ValueError("a clock cannot be resumed before it was paused")
        spent = self._measure(calendar).between(self.paused_since, at)
        return replace(self, paused_since=None, paused_total=self.paused_total + spent)

    def deadline(self, calendar: WorkingCalendar) -> datetime | None:
        """When the budget runs out, pauses so far excluded; None while paused, as nobody knows
        yet when the clock will run again.

        A pause taken after the budget already ran out moves this instant too; the state stays
        "breached", and the breach itself is recorded when it happens.
        """
        return self._instant_after(calendar, self.budget)

    def warn_at(self, calendar: WorkingCalendar, share: float | None = None) -> datetime | None:
        """When `share` (by default the target's) of the budget is used; None while paused."""
        share = self.warn_at_share if share is None else share
        _check_share(share)
        return self._instant_after(calendar, self.budget * share)

    def elapsed(self, calendar: WorkingCalendar, now: datetime) -> timedelta:
        """Budget used by `now`, pauses excluded; `now` is expected after the last pause or
        resume, as earlier pauses are known only by their total."""
        end = as_utc(now, "now")
        if self.paused_since is not None:
            end = min(end, self.paused_since)
        counted = self._measure(calendar).between(self.started_at, end)
        return max(counted - self.paused_total, _ZERO)

    def state(self, calendar: WorkingCalendar, now: datetime) -> ClockState:
        used = self.elapsed(calendar, now)
        if used >= self.budget:
            return ClockState.BREACHED
        if self.paused_since is not None:
            return ClockState.PAUSED
        if used >= self.budget * self.warn_at_share:
            return ClockState.WARNING
        return ClockState.OK

    def _instant_after(self, calendar: WorkingCalendar, used: timedelta) -> datetime | None:
        if self.paused_since is not None:
            return None
        return self._measure(calendar).add(self.started_at, used + self.paused_total)

    def _measure(self, calendar: WorkingCalendar) -> TimeMeasure:
        return calendar if self.working_time else WALL_CLOCK


def _check_share(share: float) -> None:
    if isinstance(share, bool) or not 0 < share < 1:
        raise ValueError(f"a warning share must lie between 0 and 1, got {share!r}")
