"""The lending station's pure rules: due dates, reminders, conditions, counts, holds, deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid_platform.errors import Conflict, InvalidInput
from civicgrid_volunteers.domain import lending as rules

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def test_a_loan_is_due_after_the_station_s_loan_days_unless_a_date_is_asked() -> None:
    assert rules.due_date(NOW, 7, None) == NOW + timedelta(days=7)
    asked = NOW + timedelta(days=3, hours=5)
    assert rules.due_date(NOW, 7, asked) == asked


@pytest.mark.parametrize(
    "asked", [NOW, NOW - timedelta(minutes=1), NOW + timedelta(days=rules.MAX_LOAN_DAYS, seconds=1)]
)
def test_a_due_date_in_the_past_or_too_far_ahead_is_refused_naming_the_field(
    asked: datetime,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.due_date(NOW, 7, asked)
    assert refused.value.field == "due_at"


@pytest.mark.parametrize("days", [0, -1, rules.MAX_LOAN_DAYS + 1])
def test_loan_days_out_of_range_are_refused(days: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_loan_days(days)
    assert refused.value.field == "loan_days"


def test_the_due_soon_reminder_comes_a_day_before_or_at_once_for_a_short_loan() -> None:
    assert rules.due_soon_at(NOW, NOW + timedelta(days=7)) == NOW + timedelta(days=6)
    assert rules.due_soon_at(NOW, NOW + timedelta(hours=5)) == NOW


def test_overdue_reminders_repeat_every_two_days_and_holds_are_kept_two_days() -> None:
    assert rules.next_overdue_reminder(NOW) == NOW + timedelta(days=2)
    assert rules.hold_kept_until(NOW) == NOW + timedelta(days=2)


def test_a_loan_is_open_then_overdue_at_its_due_date_then_returned() -> None:
    due = NOW + timedelta(days=1)
    assert rules.loan_state(due, None, NOW) == "open"
    assert rules.loan_state(due, None, due) == "overdue"
    assert rules.loan_state(due, NOW, due + timedelta(days=5)) == "returned"


@pytest.mark.parametrize(
    ("current", "returned", "after"),
    [
        ("good", "good", "good"),
        ("good", "worn", "worn"),
        ("good", "damaged", "damaged"),
        ("worn", "good", "worn"),  # a return never repairs: staff record repairs
        ("damaged", "worn", "damaged"),
        ("worn", "lost", "worn"),  # a lost unit says nothing about the others
    ],
)
def test_a_return_only_ever_makes_the_item_s_condition_worse(
    current: str, returned: rules.ReturnCondition, after: str
) -> None:
    assert rules.condition_after_return(current, returned) == after


def test_a_lost_return_puts_nothing_back_and_takes_the_units_off_the_count() -> None:
    assert (rules.shelf_units(2, "lost"), rules.lost_units(2, "lost")) == (0, 2)
    assert (rules.shelf_units(2, "damaged"), rules.lost_units(2, "damaged")) == (2, 0)


def test_a_ready_hold_s_unit_counts_towards_the_borrower_s_loan() -> None:
    assert rules.units_to_take(1, reserved_for_borrower=True) == 0
    assert rules.units_to_take(3, reserved_for_borrower=True) == 2
    assert rules.units_to_take(3, reserved_for_borrower=False) == 3


def test_a_new_count_never_drops_below_the_units_out_or_kept() -> None:
    # 5 in all, 2 on the shelf: 3 are out or kept for holds.
    assert rules.check_new_total(8, 5, 2) == 3
    assert rules.check_new_total(3, 5, 2) == -2
    with pytest.raises(Conflict) as refused:
        rules.check_new_total(2, 5, 2)
    assert refused.value.field == "count"


def test_a_hold_is_only_for_an_item_that_is_out_and_only_once() -> None:
    rules.check_hold_allowed(0, already_holding=False)
    with pytest.raises(Conflict, match="borrow it"):
        rules.check_hold_allowed(1, already_holding=False)
    with pytest.raises(Conflict, match="already"):
        rules.check_hold_allowed(0, already_holding=True)


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (timedelta(hours=2), timedelta(hours=1), "ends_at"),
        (timedelta(hours=1), timedelta(hours=26), "ends_at"),
        (timedelta(hours=-3), timedelta(hours=-1), "ends_at"),
        (timedelta(days=31), timedelta(days=31, hours=2), "starts_at"),
    ],
)
def test_a_delivery_window_must_be_ahead_short_and_in_order(
    starts: timedelta, ends: timedelta, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_delivery_window(NOW, NOW + starts, NOW + ends)
    assert refused.value.field == field


def test_a_delivery_window_that_has_begun_but_not_ended_is_accepted() -> None:
    rules.check_delivery_window(NOW, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
