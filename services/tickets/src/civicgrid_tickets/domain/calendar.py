"""A tenant's working-time calendar: when the clock of a working-time deadline runs.

Working hours are local wall-clock intervals per weekday; holidays are off even on a weekday;
make-up working days (China's 调休) work on a weekend, to the hours of a stated weekday. All
answers are in UTC, because Python compares and subtracts two datetimes of the same zone by
wall time, which is wrong across a DST change; convert for display only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any, Final
from zoneinfo import ZoneInfo

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.calendar_input import WEEKDAYS, parse_calendar
from civicgrid_tickets.domain.calendar_spans import (
    DaySchedule,
    Span,
    day_spans,
    first_instant_at_or_after,
    midnight_offset,
)

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_END_OF_DAY = timedelta(hours=24)
# Past the last holiday or make-up day every week has working time, except one whose only
# hours the clocks skip; a year without any means a broken calendar, not a long wait.
_MAX_IDLE_DAYS = 400


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    zone: ZoneInfo
    weekly_hours: tuple[DaySchedule, ...]  # index = date.weekday(), Monday first
    holidays: frozenset[date] = frozenset()
    makeup_days: tuple[tuple[date, int], ...] = ()  # (date, weekday whose hours it works)
    _makeup_schedule: Mapping[date, int] = field(init=False, repr=False, compare=False)
    _special_days: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _week_total: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weekly_hours) != len(WEEKDAYS):
            raise InvalidInput("hours for the seven weekdays are required", field="hours")
        week = tuple(
            _checked_day(name, hours)
            for name, hours in zip(WEEKDAYS, self.weekly_hours, strict=True)
        )
        week_total = sum((end - start for hours in week for start, end in hours), _ZERO)
        if week_total == _ZERO:
            # Make-up days alone cannot carry a calendar: they run out and `add` would not end.
            raise InvalidInput("the calendar has no working time in its week", field="hours")
        makeup: dict[date, int] = {}
        for index, (day, weekday) in enumerate(self.makeup_days):
            where = f"makeup_days.{index}"
            if day in makeup or day in self.holidays:
                raise InvalidInput(f"{day} is already a holiday or make-up day", field=where)
            if not 0 <= weekday < len(WEEKDAYS) or not week[weekday]:
                raise InvalidInput(f"weekday {weekday} has no working hours", field=where)
            makeup[day] = weekday
        object.__setattr__(self, "weekly_hours", week)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_days", tuple(sorted(makeup.items())))
        object.__setattr__(self, "_makeup_schedule", makeup)
        object.__setattr__(self, "_special_days", tuple(sorted(self.holidays | makeup.keys())))
        object.__setattr__(self, "_week_total", week_total)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> WorkingCalendar:
        """{"timezone": "Asia/Shanghai", "hours": {"mon": [["08:30", "12:00"], ...], ...},
        "holidays": ["2026-10-01"], "makeup_days": ["2026-09-27", {"date": ..., "schedule_of":
        "fri"}]}; InvalidInput names the field at fault."""
        return cls(*parse_calendar(data))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant `duration` of working time after `start`; from outside working time the
        count begins at the next working instant, so a zero duration gives that instant."""
        moment = as_utc(start, "start")
        if duration < _ZERO:
            raise ValueError("duration must not be negative")
        remaining, day, idle_days = duration, self._local_day(moment), 0
        last_special_day = self._special_days[-1] if self._special_days else date.min
        while True:
            if remaining > self._week_total and self._is_plain_week_after(day, moment):
                remaining -= self._week_total  # a whole ordinary week, without walking it
                day += _WEEK
                continue
            worked = False
            for begins, ends in self._spans(day):
                if ends <= moment:
                    continue
                begins = max(begins, moment)
                if remaining <= ends - begins:
                    return begins + remaining
                remaining -= ends - begins
                worked = True
            idle_days = 0 if worked or day <= last_special_day else idle_days + 1
            if idle_days > _MAX_IDLE_DAYS:
                raise RuntimeError(f"no working time in the {idle_days} days before {day}")
            day += _DAY

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b); zero if b <= a."""
        low, high = as_utc(a, "a"), as_utc(b, "b")
        total, day = _ZERO, self._local_day(low)
        while low < high and (day_start := self._day_start(day)) < high:
            if (
                day_start >= low
                and self._day_start(day + _WEEK) <= high
                and self._is_plain_week(day)
            ):
                total += self._week_total
                day += _WEEK
                continue
            for begins, ends in self._spans(day):
                total += max(_ZERO, min(ends, high) - max(begins, low))
            day += _DAY
        return total

    def is_working(self, t: datetime) -> bool:
        moment = as_utc(t, "t")
        return any(begins <= moment < ends for begins, ends in self._spans(self._local_day(moment)))

    def next_working_instant(self, t: datetime) -> datetime:
        """`t` itself if it is working time, otherwise the start of the next working span."""
        return self.add(t, _ZERO)

    def _schedule(self, day: date) -> DaySchedule:
        if day in self.holidays:
            return ()
        return self.weekly_hours[self._makeup_schedule.get(day, day.weekday())]

    def _spans(self, day: date) -> tuple[Span, ...]:
        return day_spans(self.zone, day, self._schedule(day))

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _day_start(self, day: date) -> datetime:
        return first_instant_at_or_after(self.zone, day, _ZERO)

    def _is_plain_week_after(self, day: date, moment: datetime) -> bool:
        return self._is_plain_week(day) and self._day_start(day) >= moment

    def _is_plain_week(self, day: date) -> bool:
        """True if the seven days from `day` hold exactly the weekly hours: no holiday, no
        make-up day and no change of UTC offset (compared at each midnight; tzdata never
        changes the offset and back within one day)."""
        index = bisect_left(self._special_days, day)
        if index < len(self._special_days) and self._special_days[index] < day + _WEEK:
            return False
        offset = midnight_offset(self.zone, day)
        return all(midnight_offset(self.zone, day + k * _DAY) == offset for k in range(1, 8))


def _checked_day(name: str, hours: DaySchedule) -> DaySchedule:
    """The day's intervals in order; reversed, empty or overlapping ones are refused."""
    for index, (start, end) in enumerate(hours):
        if not _ZERO <= start < end <= _END_OF_DAY:
            raise InvalidInput(
                "an interval must start before it ends", field=f"hours.{name}.{index}"
            )
    ordered = sorted(range(len(hours)), key=lambda i: hours[i])
    for earlier, later in pairwise(ordered):
        if hours[later][0] < hours[earlier][1]:
            where = f"hours.{name}.{max(earlier, later)}"
            raise InvalidInput("intervals of one day must not overlap", field=where)
    return tuple(hours[i] for i in ordered)


def as_utc(value: datetime, name: str) -> datetime:
    """`value` in UTC; a naive datetime is refused, as its instant is unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value.isoformat()}")
    return value.astimezone(UTC)


# Every district's calendar until it publishes its own; the body is in the shape it would publish.
DEFAULT_CALENDAR_BODY: Final[dict[str, Any]] = {
    "timezone": "Asia/Shanghai",
    "hours": {
        day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
    },
}
DEFAULT_CALENDAR = WorkingCalendar.from_dict(DEFAULT_CALENDAR_BODY)
