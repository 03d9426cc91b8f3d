"""Profile rules (staff-verified skills stay staff's, staff fields stay staff's, schedules are
checked) and attendance rules (when one may check in, how many minutes a visit counts, what a
late cancellation is)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid_platform.errors import Conflict, Forbidden, InvalidInput
from civicgrid_volunteers.domain.attendance import check_in_allowed, is_late, minutes_served
from civicgrid_volunteers.domain.ledger import MAX_POSTING_MINUTES
from civicgrid_volunteers.domain.profiles import (
    STAFF_FIELDS,
    Skill,
    check_own_changes,
    check_schedule,
    merged_skills,
)

VERIFIED = {"first_aid": Skill(4, verified=True), "cooking": Skill(2)}


def test_claimed_skills_never_overwrite_a_verified_one() -> None:
    merged = merged_skills(VERIFIED, {"first_aid": 1, "driving": 3}, None)
    assert merged["first_aid"] == Skill(4, verified=True)
    assert merged["driving"] == Skill(3)


def test_claimed_skills_replace_own_skills_but_never_remove_a_verified_one() -> None:
    assert merged_skills(VERIFIED, {"driving": 3}, None) == {
        "first_aid": Skill(4, verified=True),
        "driving": Skill(3),
    }
    assert merged_skills(VERIFIED, {}, None) == {"first_aid": Skill(4, verified=True)}


def test_no_claim_keeps_every_skill_and_the_input_is_not_changed() -> None:
    before = dict(VERIFIED)
    assert merged_skills(VERIFIED, None, None) == VERIFIED
    merged_skills(VERIFIED, {"driving": 3}, {"cooking": 5})
    assert before == VERIFIED


def test_staff_verified_skills_are_marked_verified_and_may_change_the_level() -> None:
    merged = merged_skills(VERIFIED, None, {"cooking": 3, "first_aid": 2, "driving": 5})
    assert merged == {
        "first_aid": Skill(2, verified=True),
        "cooking": Skill(3, verified=True),
        "driving": Skill(5, verified=True),
    }


def test_staff_verification_wins_over_a_claim_in_the_same_change() -> None:
    assert merged_skills({}, {"driving": 5}, {"driving": 2}) == {"driving": Skill(2, True)}


@pytest.mark.parametrize("level", [0, 6, -1])
def test_levels_outside_1_to_5_are_refused_naming_the_field(level: int) -> None:
    with pytest.raises(InvalidInput) as claimed:
        merged_skills({}, {"driving": level}, None)
    assert claimed.value.field == "skills.driving"
    with pytest.raises(InvalidInput) as verified:
        merged_skills({}, None, {"driving": level})
    assert verified.value.field == "verified_skills.driving"


@pytest.mark.parametrize("level", [1, 5])
def test_levels_1_and_5_are_accepted(level: int) -> None:
    assert merged_skills({}, {"driving": level}, None) == {"driving": Skill(level)}


@pytest.mark.parametrize("code", ["", "x" * 49])
def test_skill_codes_of_bad_length_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        merged_skills({}, {code: 3}, None)
    assert refused.value.field == "skills"


@pytest.mark.parametrize("staff_field", sorted(STAFF_FIELDS))
def test_a_volunteer_may_not_set_a_staff_field(staff_field: str) -> None:
    with pytest.raises(Forbidden) as refused:
        check_own_changes({"display_name": "Li", staff_field: None})
    assert staff_field in refused.value.detail


def test_staff_fields_are_exactly_verification_safeguarding_and_activation() -> None:
    assert {"verified_skills", "safeguarding_until", "active"} == STAFF_FIELDS
    with pytest.raises(Forbidden) as refused:
        check_own_changes({"active": True, "verified_skills": {}})
    assert "active" in refused.value.detail and "verified_skills" in refused.value.detail


def test_a_volunteer_may_change_their_own_skills_schedule_and_duty() -> None:
    check_own_changes(
        {
            "skills": {"driving": 3},
            "weekly_availability": [],
            "unavailable": [],
            "timezone": "Asia/Shanghai",
            "on_duty": True,
            "weekly_task_cap": 2,
            "display_name": "Li",
        }
    )


def test_check_schedule_accepts_a_good_schedule_and_ignores_absent_keys() -> None:
    check_schedule({})
    check_schedule(
        {
            "weekly_availability": [{"weekday": 0, "start": "08:00", "end": "00:00"}],
            "unavailable": [{"start": "2026-12-01T00:00+08:00", "end": "2026-12-02T00:00+08:00"}],
            "timezone": "Asia/Shanghai",
        }
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"weekly_availability": [{"weekday": 9, "start": "08:00", "end": "09:00"}]},
            "weekly_availability[0].weekday",
        ),
        (
            {"unavailable": [{"start": "2026-12-01T00:00", "end": "2026-12-02T00:00"}]},
            "unavailable[0]",
        ),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "CST+8"}, "timezone"),
    ],
)
def test_check_schedule_refuses_bad_schedules_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_schedule(changes)
    assert refused.value.field == field


START = datetime(2026, 11, 30, 9, tzinfo=UTC)
END = START + timedelta(hours=2)
MIN = timedelta(minutes=1)


def served(checked_in: datetime, checked_out: datetime) -> int:
    return minutes_served(checked_in, checked_out, START, END)


def test_minutes_served_count_from_the_start_even_for_early_arrivals() -> None:
    assert served(START, END) == 120
    assert served(START - 25 * MIN, END) == 120
    assert served(START + 10 * MIN, END) == 110


def test_minutes_served_stop_an_hour_after_the_end() -> None:
    assert served(START, END + 30 * MIN) == 150
    assert served(START, END + 60 * MIN) == 180
    assert served(START, END + 5 * 60 * MIN) == 180


def test_minutes_served_are_whole_minutes_and_never_negative() -> None:
    assert served(START, START + timedelta(seconds=119)) == 1
    assert served(START - 20 * MIN, START - 5 * MIN) == 0
    assert served(END + 2 * 60 * MIN, END + 3 * 60 * MIN) == 0


@pytest.mark.parametrize("status", ["accepted", "confirmed"])
def test_check_in_is_allowed_from_30_minutes_before_the_start_to_the_end(status: str) -> None:
    for now in (START - 30 * MIN, START, END - MIN, END):
        check_in_allowed(status, START, END, now)


@pytest.mark.parametrize(
    ("status", "now"),
    [
        ("accepted", START - 31 * MIN),
        ("accepted", START - 30 * MIN - timedelta(seconds=1)),
        ("accepted", END + timedelta(seconds=1)),
        ("confirmed", END + 60 * MIN),
        ("cancelled", START),
        ("completed", START),
        ("no_show", START),
    ],
)
def test_check_in_is_refused_too_early_after_the_end_or_for_a_lost_place(
    status: str, now: datetime
) -> None:
    with pytest.raises(Conflict):
        check_in_allowed(status, START, END, now)


def test_a_cancellation_is_late_closer_to_the_start_than_the_policy_hours() -> None:
    assert not is_late(START, START - timedelta(hours=24), 24)
    assert is_late(START, START - timedelta(hours=24) + timedelta(seconds=1), 24)
    assert is_late(START, START - timedelta(hours=1), 24)
    assert is_late(START, START + MIN, 24)
    assert not is_late(START, START - timedelta(days=3), 24)


def test_with_zero_hours_only_a_cancellation_after_the_start_is_late() -> None:
    assert not is_late(START, START - MIN, 0)
    assert not is_late(START, START, 0)
    assert is_late(START, START + timedelta(seconds=1), 0)


def test_minutes_served_never_exceed_what_one_ledger_posting_carries() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    end = start + timedelta(hours=24)
    assert minutes_served(start, end + timedelta(hours=1), start, end) == MAX_POSTING_MINUTES
