"""When a volunteer can serve: weekly slots read on the volunteer's own clock, windows across
midnight, unavailable periods, urgent tasks for volunteers on duty, and the parsing of what a
volunteer types in (bad input names the field)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from civicgrid_platform.errors import InvalidInput
from civicgrid_volunteers.domain.availability import (
    Period,
    WeeklySlot,
    fits,
    free_of,
    parse_periods,
    parse_slots,
)
from civicgrid_volunteers.domain.matching import Candidate, Need, refusal
from civicgrid_volunteers.domain.policy import DEFAULT

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
MON, TUE, SUN = 0, 1, 6


def at(zone: ZoneInfo, y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def slot(day: int, start: str, end: str) -> WeeklySlot:
    return WeeklySlot(day, time.fromisoformat(start), time.fromisoformat(end))


MONDAY_MORNING = [slot(MON, "08:00", "12:00")]


# 2026-11-30 is a Monday.
def test_slots_are_read_in_the_volunteers_own_zone() -> None:
    start, end = at(SHANGHAI, 2026, 11, 30, 9), at(SHANGHAI, 2026, 11, 30, 10)
    assert start == utc(2026, 11, 30, 1)
    assert fits(MONDAY_MORNING, "Asia/Shanghai", start, end)
    # The same instants are 02:00-03:00 on a Berlin volunteer's clock.
    assert not fits(MONDAY_MORNING, "Europe/Berlin", start, end)
    assert fits(MONDAY_MORNING, "Asia/Shanghai", utc(2026, 11, 30, 1), utc(2026, 11, 30, 2))


def test_a_task_fits_only_if_wholly_inside_a_slot() -> None:
    def inside(start: int, end: int) -> bool:
        return fits(MONDAY_MORNING, "UTC", utc(2026, 11, 30, start), utc(2026, 11, 30, end))

    assert inside(8, 12)  # exactly the slot
    assert not inside(7, 9)
    assert not inside(11, 13)
    assert not fits(MONDAY_MORNING, "UTC", utc(2026, 12, 1, 9), utc(2026, 12, 1, 10))  # Tuesday


def test_slots_follow_the_volunteers_clock_across_summer_time() -> None:
    sunday_morning = [slot(SUN, "08:00", "12:00")]
    # 07:00 UTC is 09:00 in Berlin summer (29 Mar 2026 onward) and 08:00 in winter.
    summer = utc(2026, 3, 29, 7)
    winter = utc(2026, 3, 22, 7)
    hour = timedelta(hours=1)
    assert fits(sunday_morning, "Europe/Berlin", summer, summer + hour)
    assert fits(sunday_morning, "Europe/Berlin", winter, winter + hour)
    early = utc(2026, 3, 22, 6, 30)  # 07:30 in Berlin winter
    assert not fits(sunday_morning, "Europe/Berlin", early, early + hour)


def test_a_window_across_midnight_needs_a_slot_on_both_days() -> None:
    start, end = at(SHANGHAI, 2026, 11, 30, 22), at(SHANGHAI, 2026, 12, 1, 1)
    evening, small_hours = slot(MON, "20:00", "00:00"), slot(TUE, "00:00", "02:00")
    assert fits([evening, small_hours], "Asia/Shanghai", start, end)
    assert not fits([evening], "Asia/Shanghai", start, end)
    assert not fits([small_hours], "Asia/Shanghai", start, end)
    # 23:59 is not the end of the day: the minute before midnight is uncovered.
    assert not fits([slot(MON, "20:00", "23:59"), small_hours], "Asia/Shanghai", start, end)


def test_sunday_night_into_monday_wraps_the_week() -> None:
    start, end = utc(2026, 11, 29, 23), utc(2026, 11, 30, 1)  # Sunday 23:00 - Monday 01:00
    both = [slot(SUN, "22:00", "00:00"), slot(MON, "00:00", "06:00")]
    assert fits(both, "UTC", start, end)
    assert not fits(both[:1], "UTC", start, end)


def test_an_end_of_00_00_means_the_end_of_the_day() -> None:
    late = [slot(MON, "22:00", "00:00")]
    assert fits(late, "UTC", utc(2026, 11, 30, 23), utc(2026, 12, 1, 0))  # no Tuesday slot needed
    assert fits(late, "UTC", utc(2026, 11, 30, 22), utc(2026, 11, 30, 23, 59))
    assert not fits(late, "UTC", utc(2026, 11, 30, 21), utc(2026, 11, 30, 23))


def test_adjacent_slots_on_one_day_cover_a_window_spanning_both() -> None:
    split = [slot(MON, "08:00", "10:00"), slot(MON, "10:00", "12:00")]
    assert fits(split, "UTC", utc(2026, 11, 30, 9, 30), utc(2026, 11, 30, 10, 30))


def test_unavailable_periods_are_half_open() -> None:
    start, end = utc(2026, 11, 30, 9), utc(2026, 11, 30, 10)
    assert free_of([Period(utc(2026, 11, 30, 7), start)], start, end)
    assert free_of([Period(end, utc(2026, 11, 30, 12))], start, end)
    assert not free_of([Period(utc(2026, 11, 30, 7), start + timedelta(minutes=1))], start, end)
    assert not free_of([Period(utc(2026, 11, 30, 9, 59), utc(2026, 11, 30, 12))], start, end)
    # A holiday given on a Shanghai clock covers the UTC window it overlaps.
    holiday = Period(at(SHANGHAI, 2026, 11, 30), at(SHANGHAI, 2026, 12, 1))
    assert not free_of([holiday], start, end)
    assert free_of([], start, end)


def on_call(**changes: Any) -> Candidate:
    fields: dict[str, Any] = {
        "volunteer_id": uuid4(),
        "person_id": uuid4(),
        "display_name": "Zhang Wei",
        "distance_m": 200,
        "skills": {},
        "timezone": "Asia/Shanghai",
        "on_duty": True,
    }
    return Candidate(**(fields | changes))


NIGHT = Need(starts_at=utc(2026, 11, 30, 18), ends_at=utc(2026, 11, 30, 19), urgent=True)


def test_urgent_tasks_skip_weekly_slots_for_volunteers_on_duty() -> None:
    assert refusal(NIGHT, on_call(slots=()), DEFAULT, NOW) is None
    assert refusal(NIGHT, on_call(slots=(), on_duty=False), DEFAULT, NOW) == "off_duty"
    normal = Need(starts_at=NIGHT.starts_at, ends_at=NIGHT.ends_at)
    assert refusal(normal, on_call(slots=()), DEFAULT, NOW) == "availability"


def test_urgent_tasks_still_respect_unavailable_periods() -> None:
    away = (Period(utc(2026, 11, 30, 12), utc(2026, 12, 2)),)
    assert refusal(NIGHT, on_call(unavailable=away), DEFAULT, NOW) == "unavailable"


def test_refusal_reads_slots_in_the_candidates_zone() -> None:
    task = Need(starts_at=utc(2026, 11, 30, 1), ends_at=utc(2026, 11, 30, 2))
    slots = tuple(MONDAY_MORNING)
    assert refusal(task, on_call(slots=slots), DEFAULT, NOW) is None
    berliner = on_call(slots=slots, timezone="Europe/Berlin")
    assert refusal(task, berliner, DEFAULT, NOW) == "availability"


def test_parse_slots_reads_weekdays_and_hh_mm() -> None:
    raw: list[dict[str, object]] = [
        {"weekday": 0, "start": "08:00", "end": "12:00"},
        {"weekday": "6", "start": "20:00", "end": "00:00"},
    ]
    assert parse_slots(raw) == [slot(MON, "08:00", "12:00"), slot(SUN, "20:00", "00:00")]
    assert parse_slots([]) == []


GOOD_SLOT = {"weekday": 0, "start": "08:00", "end": "12:00"}


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"weekday": 7, "start": "08:00", "end": "12:00"}, "weekly_availability[1].weekday"),
        ({"weekday": -1, "start": "08:00", "end": "12:00"}, "weekly_availability[1].weekday"),
        ({"weekday": "mon", "start": "08:00", "end": "12:00"}, "weekly_availability[1]"),
        ({"start": "08:00", "end": "12:00"}, "weekly_availability[1]"),
        ({"weekday": 1, "start": "8am", "end": "12:00"}, "weekly_availability[1]"),
        ({"weekday": 1, "start": "08:00", "end": "24:00"}, "weekly_availability[1]"),
        ({"weekday": 1, "start": "08:00", "end": None}, "weekly_availability[1]"),
        ({"weekday": 1, "start": "12:00", "end": "08:00"}, "weekly_availability[1].end"),
        ({"weekday": 1, "start": "12:00", "end": "12:00"}, "weekly_availability[1].end"),
    ],
)
def test_parse_slots_refuses_bad_input_naming_the_field(bad: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_slots([GOOD_SLOT, bad])
    assert refused.value.field == field


def test_parse_slots_names_the_field_it_was_given() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_slots(["not a slot"], field="slots")
    assert refused.value.field == "slots[0]"


def test_parse_slots_refuses_times_with_an_offset() -> None:
    with pytest.raises(InvalidInput):
        parse_slots([{"weekday": 0, "start": "08:00", "end": "12:00+08:00"}])


def test_parse_periods_reads_aware_date_times() -> None:
    raw: list[dict[str, object]] = [
        {"start": "2026-12-01T00:00:00+08:00", "end": "2026-12-03T00:00:00+08:00"}
    ]
    assert parse_periods(raw) == [Period(at(SHANGHAI, 2026, 12, 1), at(SHANGHAI, 2026, 12, 3))]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"start": "2026-12-01T00:00:00", "end": "2026-12-03T00:00:00+08:00"}, "unavailable[0]"),
        ({"start": "2026-12-01T00:00:00+08:00", "end": "2026-12-03"}, "unavailable[0]"),
        ({"start": "next week", "end": "2026-12-03T00:00:00+08:00"}, "unavailable[0]"),
        ({"start": "2026-12-01T00:00:00+08:00"}, "unavailable[0]"),
        (
            {"start": "2026-12-03T00:00:00+08:00", "end": "2026-12-01T00:00:00+08:00"},
            "unavailable[0].end",
        ),
        (
            {"start": "2026-12-01T00:00:00+08:00", "end": "2026-11-30T16:00:00+00:00"},
            "unavailable[0].end",
        ),
    ],
)
def test_parse_periods_refuses_bad_input_naming_the_field(
    bad: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_periods([bad])
    assert refused.value.field == field
