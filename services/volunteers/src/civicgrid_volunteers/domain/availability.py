"""When a volunteer can serve: weekly slots in their own zone, minus unavailable periods.

A task fits when every moment of its window lies in a weekly slot (a window that crosses
midnight needs a slot on each day) and overlaps no unavailable period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from civicgrid_platform.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class WeeklySlot:
    weekday: int  # Monday 0 .. Sunday 6
    start: time
    end: time  # 00:00 means the end of the day


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def parse_slots(
    raw: Sequence[dict[str, object]], field: str = "weekly_availability"
) -> list[WeeklySlot]:
    slots = []
    for n, item in enumerate(raw):
        try:
            weekday = int(item["weekday"])  # type: ignore[call-overload]
            start = time.fromisoformat(str(item["start"]))
            end = time.fromisoformat(str(item["end"]))
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("slots are read in the volunteer's own zone")
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                "weekday 0..6 with start and end as HH:MM", field=f"{field}[{n}]"
            ) from None
        if not 0 <= weekday <= 6:
            raise InvalidInput("weekday 0 (Monday) .. 6 (Sunday)", field=f"{field}[{n}].weekday")
        if end != time(0) and end <= start:
            raise InvalidInput("end after start (00:00 ends the day)", field=f"{field}[{n}].end")
        slots.append(WeeklySlot(weekday, start, end))
    return slots


def parse_periods(raw: Sequence[dict[str, object]], field: str = "unavailable") -> list[Period]:
    periods = []
    for n, item in enumerate(raw):
        try:
            start = datetime.fromisoformat(str(item["start"]))
            end = datetime.fromisoformat(str(item["end"]))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("start and end as ISO date-times", field=f"{field}[{n}]") from None
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidInput("date-times with a UTC offset", field=f"{field}[{n}]")
        if end <= start:
            raise InvalidInput("end after start", field=f"{field}[{n}].end")
        periods.append(Period(start, end))
    return periods


def fits(slots: Sequence[WeeklySlot], zone: str, start: datetime, end: datetime) -> bool:
    """Every part of [start, end) lies in a weekly slot, read in the volunteer's zone."""
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    cursor = local_start
    while cursor < local_end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=tz)
        piece_end = min(local_end, midnight)
        until = time.max if piece_end == midnight else piece_end.timetz().replace(tzinfo=None)
        since = cursor.timetz().replace(tzinfo=None)
        if not _covered(slots, cursor.weekday(), since, until):
            return False
        cursor = piece_end
    return True


def free_of(periods: Sequence[Period], start: datetime, end: datetime) -> bool:
    return not any(p.overlaps(start, end) for p in periods)


def _covered(slots: Sequence[WeeklySlot], weekday: int, since: time, until: time) -> bool:
    """[since, until] lies in the union of the day's slots (08-10 and 10-12 cover 09:30-10:30)."""
    reached = since
    for slot in sorted((s for s in slots if s.weekday == weekday), key=lambda s: s.start):
        if slot.start > reached:
            break
        reached = max(reached, time.max if slot.end == time(0) else slot.end)
        if reached >= until:
            return True
    return False
