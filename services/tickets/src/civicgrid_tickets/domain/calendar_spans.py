"""One day's wall-clock working hours turned into real instants, across DST changes.

A calendar says "08:30-12:00" in local time. On most days that is 3.5 hours of real time. On
the day the clocks jump forward the skipped times never happen, so an interval over the jump
is shorter. On the day they fall back the repeated times happen twice; we count them once
(the first pass works, the second does not), so an interval keeps its wall-clock length.

Every instant here is in UTC: Python compares and subtracts two datetimes of the same zone by
their wall times, which is wrong across a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# Offsets from local midnight; an end may be 24:00, the next midnight.
Interval = tuple[timedelta, timedelta]
DaySchedule = tuple[Interval, ...]
# A stretch of real working time, [start, end) in UTC.
Span = tuple[datetime, datetime]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def midnight_offset(zone: ZoneInfo, day: date) -> timedelta | None:
    return datetime.combine(day, time(), tzinfo=zone).utcoffset()


def first_instant_at_or_after(zone: ZoneInfo, day: date, wall: timedelta) -> datetime:
    """The first instant (of a first pass) whose local time on `day` is `wall` or later.

    For a time the clocks skip, that is the moment they jump.
    """
    naive = datetime.combine(day, time()) + wall
    # fold=0 picks the first pass of a repeated time, and for a skipped time the offset from
    # before the jump, which lands after the jump; the round trip tells the two apart.
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    before_jump = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _offset_change(zone, before_jump, instant)


def _offset_change(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The instant in (before, after] where the UTC offset becomes after's.

    zoneinfo does not expose its transitions, so search for it; tzdata changes offsets on
    whole seconds and the window is at most a few hours, so this takes under 20 steps.
    """
    target = after.astimezone(zone).utcoffset()
    low = (before - _EPOCH) // _SECOND
    high = -((_EPOCH - after) // _SECOND)  # rounded up
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return _EPOCH + high * _SECOND


@lru_cache(maxsize=8192)
def day_spans(zone: ZoneInfo, day: date, schedule: DaySchedule) -> tuple[Span, ...]:
    """The real working spans of `day`, in order; cached because SLA checks ask for the same
    few days again and again."""
    spans: list[Span] = []
    for start, end in schedule:
        begins = first_instant_at_or_after(zone, day, start)
        ends = first_instant_at_or_after(zone, day, end)
        if ends <= begins:
            continue  # the whole interval was skipped by a jump forward
        fall_back = _offset(zone, begins) - _offset(zone, ends)
        if fall_back > timedelta(0):
            # Both ends are first-pass instants, so the second pass of the repeated times
            # lies wholly inside the interval: cut it out.
            repeat_starts = _offset_change(zone, begins, ends)
            spans.append((begins, repeat_starts))
            if repeat_starts + fall_back < ends:
                spans.append((repeat_starts + fall_back, ends))
        else:
            spans.append((begins, ends))
    return tuple(spans)


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset
