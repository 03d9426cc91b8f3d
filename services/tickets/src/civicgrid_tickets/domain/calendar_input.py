"""Reading a working calendar from plain JSON-like data, naming the field at fault.

Only the shape and the spelling are checked here; what the values mean together (intervals
that overlap, a week without working time) is checked by WorkingCalendar itself, so a
calendar built in code is held to the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.calendar_spans import DaySchedule, Interval

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
_KNOWN_FIELDS = frozenset({"timezone", "hours", "holidays", "makeup_days"})
_MAKEUP_FIELDS = frozenset({"date", "schedule_of"})
_CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CalendarParts(NamedTuple):
    zone: ZoneInfo
    weekly_hours: tuple[DaySchedule, ...]
    holidays: frozenset[date]
    makeup_days: tuple[tuple[date, int], ...]


def parse_calendar(data: object) -> CalendarParts:
    if not isinstance(data, Mapping):
        raise InvalidInput("a calendar must be an object")
    for key in data:
        if key not in _KNOWN_FIELDS:
            raise InvalidInput("unknown field", field=str(key))
    return CalendarParts(
        zone=_parse_zone(data.get("timezone")),
        weekly_hours=_parse_hours(data.get("hours")),
        holidays=frozenset(_parse_date(v, f"holidays.{i}") for i, v in _items(data, "holidays")),
        makeup_days=tuple(
            _parse_makeup(v, f"makeup_days.{i}") for i, v in _items(data, "makeup_days")
        ),
    )


def weekday_index(name: object, field: str) -> int:
    if name not in WEEKDAYS:
        raise InvalidInput(f"must be one of {', '.join(WEEKDAYS)}", field=field)
    return WEEKDAYS.index(name)


def _parse_zone(value: object) -> ZoneInfo:
    if not isinstance(value, str) or not value:
        raise InvalidInput(
            "an IANA time zone name is required, e.g. Asia/Shanghai", field="timezone"
        )
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {value!r}", field="timezone") from None


def _parse_hours(value: object) -> tuple[DaySchedule, ...]:
    if not isinstance(value, Mapping):
        raise InvalidInput('an object such as {"mon": [["09:00", "18:00"]]}', field="hours")
    week: list[DaySchedule] = [() for _ in WEEKDAYS]
    for name, intervals in value.items():
        day = weekday_index(name, f"hours.{name}")
        field = f"hours.{name}"
        if not _is_list(intervals):
            raise InvalidInput(
                'a list of [start, end] pairs, e.g. [["09:00", "12:00"]]', field=field
            )
        week[day] = tuple(_parse_interval(pair, f"{field}.{i}") for i, pair in enumerate(intervals))
    return tuple(week)


def _parse_interval(pair: object, field: str) -> Interval:
    if not _is_list(pair) or len(pair) != 2:
        raise InvalidInput('a [start, end] pair such as ["09:00", "12:00"]', field=field)
    start, end = pair
    return _parse_clock_time(start, field), _parse_clock_time(end, field)


def _parse_clock_time(value: object, field: str) -> timedelta:
    match = _CLOCK_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        hours, minutes = int(match[1]), int(match[2])
        if (hours < 24 and minutes < 60) or (hours, minutes) == (24, 0):
            return timedelta(hours=hours, minutes=minutes)
    raise InvalidInput(f"{value!r} is not a time of day HH:MM (00:00 to 24:00)", field=field)


def _parse_makeup(value: object, field: str) -> tuple[date, int]:
    # A bare date works to Monday's hours, the usual case; an object can name another day.
    if not isinstance(value, Mapping):
        return _parse_date(value, field), 0
    for key in value:
        if key not in _MAKEUP_FIELDS:
            raise InvalidInput("unknown field", field=f"{field}.{key}")
    return (
        _parse_date(value.get("date"), f"{field}.date"),
        weekday_index(value.get("schedule_of", "mon"), f"{field}.schedule_of"),
    )


def _parse_date(value: object, field: str) -> date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{value!r} is not a date YYYY-MM-DD", field=field)


def _items(data: Mapping[str, object], field: str) -> enumerate[object]:
    value = data.get(field, [])
    if not _is_list(value):
        raise InvalidInput("must be a list", field=field)
    return enumerate(value)


def _is_list(value: object) -> TypeGuard[Sequence[object]]:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)
