"""Working-time calendar: deadlines counted in office hours, across weekends, holidays, 调休
make-up days, lunch breaks and DST changes. Expected instants are worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR, WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

# 7.5 h a day; National Day week off; Sunday 27 Sep and Saturday 10 Oct worked instead.
CHINA_2026 = WorkingCalendar.from_dict(
    {
        "timezone": "Asia/Shanghai",
        "hours": {day: [["08:30", "12:00"], ["13:30", "17:30"]] for day in WEEKDAYS},
        "holidays": [f"2026-10-0{d}" for d in range(1, 8)],
        "makeup_days": ["2026-09-27", "2026-10-10"],
    }
)
# Sunday night shifts in New York cross both 2026 DST changes (8 Mar and 1 Nov, at 02:00).
NEW_YORK_NIGHTS = WorkingCalendar.from_dict(
    {
        "timezone": "America/New_York",
        "hours": {"sun": [["00:00", "04:00"]], **{d: [["09:00", "17:00"]] for d in WEEKDAYS}},
    }
)
BERLIN_OFFICE = WorkingCalendar.from_dict(
    {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in WEEKDAYS}}
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def ny(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK, fold=fold)  # type: ignore[misc]


# 2026-03-02 is a Monday.
@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (sh(2026, 3, 2, 9, 30), 2 * H, sh(2026, 3, 2, 11, 30)),  # inside one morning
        (sh(2026, 3, 2, 11), 2 * H, sh(2026, 3, 2, 14)),  # the lunch hour does not count
        (sh(2026, 3, 2, 9), 3 * H, sh(2026, 3, 2, 12)),  # used up exactly at lunch: stops there
        (sh(2026, 3, 6, 17), 2 * H, sh(2026, 3, 9, 10)),  # Friday evening to Monday morning
        (sh(2026, 3, 7, 10), H, sh(2026, 3, 9, 10)),  # reported on Saturday
        (sh(2026, 3, 2, 7), timedelta(0), sh(2026, 3, 2, 9)),  # before opening
        (sh(2026, 3, 2, 12, 30), 30 * MIN, sh(2026, 3, 2, 13, 30)),  # during lunch
        (sh(2026, 3, 6, 18), MIN, sh(2026, 3, 9, 9, 1)),  # at closing time on Friday
        (sh(2026, 3, 2, 9), 320 * H, sh(2026, 4, 24, 18)),  # 40 working days: 8 whole weeks
    ],
)
def test_add_counts_only_office_hours(
    start: datetime, duration: timedelta, expected: datetime
) -> None:
    result = DEFAULT_CALENDAR.add(start, duration)
    assert result == expected
    assert result.tzinfo is UTC


def test_add_over_years_lands_on_the_same_weekday_and_hour() -> None:
    # 260 weeks of 40 h from a Monday 09:00 end on the Friday of week 260 at 18:00.
    end = DEFAULT_CALENDAR.add(sh(2026, 3, 2, 9), 260 * 40 * H)
    assert end == sh(2026, 3, 6, 18) + timedelta(weeks=259)


def test_holidays_are_skipped_and_make_up_days_worked() -> None:
    # Wednesday 30 Sep 17:00: half an hour left that day, then the week of 1-7 Oct is off.
    assert CHINA_2026.add(sh(2026, 9, 30, 17), H) == sh(2026, 10, 8, 9)
    # Friday 25 Sep 17:00: Saturday is off, Sunday 27 Sep is a make-up day on Monday's hours.
    assert CHINA_2026.add(sh(2026, 9, 25, 17), H) == sh(2026, 9, 27, 9)
    assert CHINA_2026.is_working(sh(2026, 9, 27, 10))
    assert not CHINA_2026.is_working(sh(2026, 9, 20, 10))  # an ordinary Sunday
    assert not CHINA_2026.is_working(sh(2026, 10, 1, 10))  # National Day, a Thursday
    # 28 Sep - 11 Oct: Mon-Wed, Thu-Fri 8-9 Oct and Saturday 10 Oct are six days of 7.5 h.
    assert CHINA_2026.between(sh(2026, 9, 28), sh(2026, 10, 12)) == 45 * H


def test_forty_working_days_across_national_day() -> None:
    # From Monday 21 Sep: 5 days, Sun 27 (6), 28-30 Sep (9), 8-9 Oct (11), Sat 10 (12),
    # five full weeks to 13 Nov (37), then Mon-Wed 16-18 Nov (40).
    end = CHINA_2026.add(sh(2026, 9, 21, 8, 30), 40 * 7.5 * H)
    assert end == sh(2026, 11, 18, 17, 30)
    assert CHINA_2026.between(sh(2026, 9, 21, 8, 30), end) == 300 * H


def test_a_make_up_day_can_work_to_another_weekdays_hours() -> None:
    calendar = WorkingCalendar.from_dict(
        {
            "timezone": "Asia/Shanghai",
            "hours": {"mon": [["08:30", "17:30"]], "fri": [["08:30", "12:00"]]},
            "makeup_days": [{"date": "2026-10-10", "schedule_of": "fri"}, "2026-10-11"],
        }
    )
    assert calendar.between(sh(2026, 10, 10), sh(2026, 10, 11)) == 3.5 * H
    assert not calendar.is_working(sh(2026, 10, 10, 13))
    assert calendar.between(sh(2026, 10, 11), sh(2026, 10, 12)) == 9 * H  # Monday's by default


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (sh(2026, 3, 2, 9), True),
        (sh(2026, 3, 2, 8, 59, 59), False),
        (sh(2026, 3, 2, 11, 59, 59), True),
        (sh(2026, 3, 2, 12), False),
        (sh(2026, 3, 2, 13), True),
        (sh(2026, 3, 2, 18), False),
        (sh(2026, 3, 7, 10), False),
    ],
)
def test_is_working_at_the_edges_of_intervals(moment: datetime, working: bool) -> None:
    assert DEFAULT_CALENDAR.is_working(moment) is working


def test_next_working_instant() -> None:
    assert DEFAULT_CALENDAR.next_working_instant(sh(2026, 3, 2, 10)) == sh(2026, 3, 2, 10)
    assert DEFAULT_CALENDAR.next_working_instant(sh(2026, 3, 2, 12, 15)) == sh(2026, 3, 2, 13)
    assert DEFAULT_CALENDAR.next_working_instant(sh(2026, 3, 6, 18, 30)) == sh(2026, 3, 9, 9)


def test_between_counts_working_time_in_a_half_open_range() -> None:
    assert DEFAULT_CALENDAR.between(sh(2026, 3, 6, 17), sh(2026, 3, 9, 10)) == 2 * H
    assert DEFAULT_CALENDAR.between(sh(2026, 3, 2), sh(2026, 3, 9)) == 40 * H
    assert DEFAULT_CALENDAR.between(sh(2026, 3, 9, 10), sh(2026, 3, 6, 17)) == timedelta(0)
    assert DEFAULT_CALENDAR.between(sh(2026, 3, 2, 10), sh(2026, 3, 2, 10)) == timedelta(0)
    # The same instants written in another zone give the same answer.
    assert (
        DEFAULT_CALENDAR.between(
            sh(2026, 3, 6, 17).astimezone(UTC), sh(2026, 3, 9, 10).astimezone(NEW_YORK)
        )
        == 2 * H
    )


def test_the_skipped_hour_of_spring_does_not_count() -> None:
    # Sun 8 Mar 2026 00:00-04:00 local holds only 3 real hours: 02:00-03:00 never happens.
    assert NEW_YORK_NIGHTS.between(ny(2026, 3, 8), ny(2026, 3, 9)) == 3 * H
    # From 01:30 EST, half an hour to the jump, then half an hour from 03:00 EDT.
    assert NEW_YORK_NIGHTS.add(ny(2026, 3, 8, 1, 30), H) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    # A normal Sunday night holds four hours.
    assert NEW_YORK_NIGHTS.between(ny(2026, 3, 15), ny(2026, 3, 16)) == 4 * H


def test_the_repeated_hour_of_autumn_counts_once() -> None:
    # Sun 1 Nov 2026 00:00-04:00 local lasts 5 real hours; 01:00-02:00 is counted once.
    assert NEW_YORK_NIGHTS.between(ny(2026, 11, 1), ny(2026, 11, 2)) == 4 * H
    assert NEW_YORK_NIGHTS.is_working(ny(2026, 11, 1, 1, 30, fold=0))  # first pass, EDT
    assert not NEW_YORK_NIGHTS.is_working(ny(2026, 11, 1, 1, 30, fold=1))  # second pass, EST
    # 00:00-02:00 EDT is two hours, then 02:00-02:30 EST.
    assert NEW_YORK_NIGHTS.add(ny(2026, 11, 1), 2.5 * H) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def test_a_long_range_over_both_dst_changes_loses_only_the_skipped_hour() -> None:
    # Sun 1 Mar to Sun 29 Nov 2026: 39 whole weeks of 44 h, then one more Sunday night of 4 h,
    # less the hour skipped on 8 Mar (the repeated hour of 1 Nov counts once, so no change).
    total = 39 * 44 * H + 4 * H - H
    assert NEW_YORK_NIGHTS.between(ny(2026, 3, 1), ny(2026, 11, 30)) == total
    assert NEW_YORK_NIGHTS.add(ny(2026, 3, 1), total) == ny(2026, 11, 29, 4)


def test_intervals_that_start_in_or_lie_within_the_skipped_hour() -> None:
    starts_in_gap = WorkingCalendar.from_dict(
        {"timezone": "America/New_York", "hours": {"sun": [["02:30", "05:00"]]}}
    )
    # 02:30 does not exist on 8 Mar: work starts at the jump, 03:00 EDT (07:00 UTC).
    assert starts_in_gap.next_working_instant(ny(2026, 3, 8)) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert starts_in_gap.between(ny(2026, 3, 8), ny(2026, 3, 9)) == 2 * H
    assert starts_in_gap.between(ny(2026, 3, 15), ny(2026, 3, 16)) == 2.5 * H
    inside_gap = WorkingCalendar.from_dict(
        {"timezone": "America/New_York", "hours": {"sun": [["02:00", "03:00"]]}}
    )
    assert inside_gap.between(ny(2026, 3, 8), ny(2026, 3, 9)) == timedelta(0)
    # So the hour owed on 8 Mar is worked the next Sunday.
    assert inside_gap.add(ny(2026, 3, 1, 2, 30), H) == ny(2026, 3, 15, 2, 30)


def test_an_office_week_across_a_dst_weekend_keeps_its_hours() -> None:
    cet, cest = timedelta(hours=1), timedelta(hours=2)
    # Berlin moves to summer time on Sun 29 Mar 2026: Friday 16:00 CET + 2 h is Monday 10:00 CEST.
    friday = datetime(2026, 3, 27, 16, tzinfo=BERLIN)
    assert BERLIN_OFFICE.add(friday, 2 * H) == datetime(2026, 3, 30, 10, tzinfo=UTC) - cest
    # Three weeks of 40 h from Monday 16 Mar 09:00 CET end Friday 3 Apr 17:00 CEST.
    start = datetime(2026, 3, 16, 9, tzinfo=BERLIN)
    assert start.utcoffset() == cet
    assert BERLIN_OFFICE.add(start, 120 * H) == datetime(2026, 4, 3, 15, tzinfo=UTC)
    # And back to winter time on Sun 25 Oct.
    autumn = datetime(2026, 10, 23, 16, tzinfo=BERLIN)
    assert BERLIN_OFFICE.add(autumn, 2 * H) == datetime(2026, 10, 26, 9, tzinfo=UTC)


def test_the_default_calendar_is_a_shanghai_office_week() -> None:
    assert DEFAULT_CALENDAR.zone == SHANGHAI
    assert DEFAULT_CALENDAR.holidays == frozenset()
    assert DEFAULT_CALENDAR.between(sh(2026, 3, 7), sh(2026, 3, 9)) == timedelta(0)  # weekend
    assert DEFAULT_CALENDAR.between(sh(2026, 3, 4), sh(2026, 3, 5)) == 8 * H


@pytest.mark.parametrize(
    "call",
    [
        lambda: DEFAULT_CALENDAR.add(datetime(2026, 3, 2, 9), H),
        lambda: DEFAULT_CALENDAR.between(datetime(2026, 3, 2, 9), sh(2026, 3, 3)),
        lambda: DEFAULT_CALENDAR.between(sh(2026, 3, 2), datetime(2026, 3, 3)),
        lambda: DEFAULT_CALENDAR.is_working(datetime(2026, 3, 2, 9)),
        lambda: DEFAULT_CALENDAR.next_working_instant(datetime(2026, 3, 2, 9)),
    ],
)
def test_naive_datetimes_are_refused(call: Any) -> None:
    with pytest.raises(ValueError, match="aware"):
        call()


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        DEFAULT_CALENDAR.add(sh(2026, 3, 2, 9), -H)


def valid_calendar(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "hours": {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], "sat": []},
        "holidays": ["2026-10-01", "2026-10-02"],
        "makeup_days": ["2026-09-27"],
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (valid_calendar(timezone="Mars/Olympus_Mons"), "timezone"),
        (valid_calendar(timezone=8), "timezone"),
        ({k: v for k, v in valid_calendar().items() if k != "timezone"}, "timezone"),
        (valid_calendar(timzone="UTC"), "timzone"),
        (valid_calendar(hours={"mon": [["8:30", "25:00"]]}), "hours.mon.0"),
        (valid_calendar(hours={"mon": [["09:00", "12:60"]]}), "hours.mon.0"),
        (valid_calendar(hours={"mon": [["09:00", "12:00"], ["noon", "14:00"]]}), "hours.mon.1"),
        (valid_calendar(hours={"mon": [["12:00", "08:30"]]}), "hours.mon.0"),
        (valid_calendar(hours={"mon": [["09:00", "09:00"]]}), "hours.mon.0"),
        (valid_calendar(hours={"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}), "hours.mon.1"),
        (valid_calendar(hours={"tue": [["11:00", "13:00"], ["08:00", "12:00"]]}), "hours.tue.1"),
        (valid_calendar(hours={"mon": [["09:00", "12:00", "13:00"]]}), "hours.mon.0"),
        (valid_calendar(hours={"mon": "09:00-17:00"}), "hours.mon"),
        (valid_calendar(hours={"funday": [["09:00", "12:00"]]}), "hours.funday"),
        (valid_calendar(hours=[]), "hours"),
        (valid_calendar(hours={"sat": []}), "hours"),  # make-up days alone would run out
        (valid_calendar(holidays=["2026-10-01", "2026-02-30"]), "holidays.1"),
        (valid_calendar(holidays=["2026-10-01", "20261003"]), "holidays.1"),
        (valid_calendar(holidays="2026-10-01"), "holidays"),
        (valid_calendar(makeup_days=["2026-10-01"]), "makeup_days.0"),  # also a holiday
        (valid_calendar(makeup_days=["2026-09-27", "2026-09-27"]), "makeup_days.1"),
        (
            valid_calendar(makeup_days=[{"date": "2026-10-10", "schedule_of": "sat"}]),
            "makeup_days.0",
        ),
        (
            valid_calendar(makeup_days=[{"date": "2026-10-10", "schedule_of": "x"}]),
            "makeup_days.0.schedule_of",
        ),
        (valid_calendar(makeup_days=[{"day": "2026-10-10"}]), "makeup_days.0.day"),
        (valid_calendar(makeup_days=[{"schedule_of": "mon"}]), "makeup_days.0.date"),
    ],
)
def test_bad_calendars_are_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        WorkingCalendar.from_dict(data)
    assert refused.value.field == field


def test_a_calendar_built_in_code_is_held_to_the_same_rules() -> None:
    nine_to_five = ((9 * H, 17 * H),)
    with pytest.raises(InvalidInput) as refused:
        WorkingCalendar(SHANGHAI, (((17 * H, 9 * H),),) + ((),) * 6)
    assert refused.value.field == "hours.mon.0"
    calendar = WorkingCalendar(
        SHANGHAI, (nine_to_five,) * 5 + ((), ()), frozenset({date(2026, 3, 2)})
    )
    assert calendar.between(sh(2026, 3, 2), sh(2026, 3, 4)) == 8 * H  # Monday a holiday


def test_a_day_may_end_at_midnight() -> None:
    calendar = WorkingCalendar.from_dict(
        {
            "timezone": "Asia/Shanghai",
            "hours": {"fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]},
        }
    )
    assert calendar.add(sh(2026, 3, 6, 23), 2 * H) == sh(2026, 3, 7, 1)


# Properties, over instants and durations in 2026-2027 and calendars with every complication.
CALENDARS = st.sampled_from([DEFAULT_CALENDAR, CHINA_2026, NEW_YORK_NIGHTS, BERLIN_OFFICE])
BASE = datetime(2026, 1, 1, tzinfo=UTC)
instants = st.timedeltas(timedelta(0), timedelta(days=400)).map(lambda offset: BASE + offset)
durations = st.timedeltas(timedelta(0), 600 * H)


@settings(max_examples=150, deadline=None)
@given(calendar=CALENDARS, start=instants, duration=durations)
def test_between_undoes_add(
    calendar: WorkingCalendar, start: datetime, duration: timedelta
) -> None:
    end = calendar.add(start, duration)
    assert calendar.between(start, end) == duration
    if duration > timedelta(0):
        # The budget runs out while working, not some time after the last working instant.
        assert calendar.is_working(end - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(calendar=CALENDARS, start=instants, first=durations, second=durations)
def test_add_is_monotonic_in_duration(
    calendar: WorkingCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    shorter, longer = sorted((first, second))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@settings(max_examples=100, deadline=None)
@given(calendar=CALENDARS, points=st.lists(instants, min_size=3, max_size=3))
def test_between_adds_up_over_split_points(
    calendar: WorkingCalendar, points: list[datetime]
) -> None:
    a, b, c = sorted(points)
    assert calendar.between(a, c) == calendar.between(a, b) + calendar.between(b, c)


def working_minutes_by_brute_force(a: datetime, b: datetime) -> int:
    """CHINA_2026 re-derived minute by minute from its definition, sharing no code with it."""
    count, minute = 0, a
    while minute < b:
        local = minute.astimezone(SHANGHAI)
        day = local.date()
        workday = (local.weekday() < 5 or day in {date(2026, 9, 27), date(2026, 10, 10)}) and not (
            date(2026, 10, 1) <= day <= date(2026, 10, 7)
        )
        clock = local.hour * 60 + local.minute
        if workday and (8 * 60 + 30 <= clock < 12 * 60 or 13 * 60 + 30 <= clock < 17 * 60 + 30):
            count += 1
        minute += MIN
    return count


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(0, 30 * 24 * 60).map(
        lambda m: datetime(2026, 9, 20, tzinfo=SHANGHAI) + m * MIN
    ),
    length=st.integers(0, 3 * 24 * 60),
)
def test_between_agrees_with_counting_minutes(start: datetime, length: int) -> None:
    end = start + length * MIN
    assert CHINA_2026.between(start, end) == working_minutes_by_brute_force(start, end) * MIN
