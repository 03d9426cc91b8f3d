"""The ledger's rules without a database: every posting balances, what a check-out and a
correction may carry, balances never go negative, corrected days in the district's zone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid_platform.errors import Conflict, InvalidInput
from civicgrid_volunteers.domain.ledger import (
    MAX_POSTING_MINUTES,
    TIMEBANK,
    balance_after,
    corrected_day,
    posting,
    volunteer_account,
)

VOLUNTEER = uuid.uuid4()
WHEN = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
SHANGHAI = "Asia/Shanghai"


def test_volunteers_a_check_out_credits_the_volunteer_and_debits_the_time_bank() -> None:
    legs = posting(VOLUNTEER, 90, reason="check_out", worked_on=WHEN).legs
    assert [(leg.account, leg.minutes) for leg in legs] == [
        (f"volunteer:{VOLUNTEER}", 90),
        (TIMEBANK, -90),
    ]


def test_volunteers_a_negative_correction_reverses_the_legs() -> None:
    legs = posting(
        VOLUNTEER, -30, reason="correction", worked_on=WHEN, actor_id="staff", note="twice"
    ).legs
    assert [(leg.account, leg.minutes) for leg in legs] == [
        (volunteer_account(VOLUNTEER), -30),
        (TIMEBANK, 30),
    ]


@given(
    st.lists(
        st.tuples(
            st.sampled_from([uuid.UUID(int=n) for n in range(1, 5)]),
            st.integers(1, MAX_POSTING_MINUTES),
            st.booleans(),
        ),
        max_size=60,
    )
)
def test_volunteers_any_run_of_postings_balances(
    runs: list[tuple[uuid.UUID, int, bool]],
) -> None:
    balances: dict[str, int] = {}
    for volunteer, minutes, taken_back in runs:
        signed = -minutes if taken_back else minutes
        account = volunteer_account(volunteer)
        if taken_back and balances.get(account, 0) + signed < 0:
            with pytest.raises(Conflict):
                balance_after(balances.get(account, 0), signed)
            continue
        assert balance_after(balances.get(account, 0), signed) == balances.get(account, 0) + signed
        made = posting(
            volunteer,
            signed,
            reason="correction" if taken_back else "check_out",
            worked_on=WHEN,
            actor_id="staff",
            note="audit",
        )
        assert sum(leg.minutes for leg in made.legs) == 0
        for leg in made.legs:
            balances[leg.account] = balances.get(leg.account, 0) + leg.minutes
    assert sum(balances.values()) == 0
    assert all(v >= 0 for k, v in balances.items() if k != TIMEBANK)
    assert balances.get(TIMEBANK, 0) == -sum(v for k, v in balances.items() if k != TIMEBANK)


@pytest.mark.parametrize(
    ("minutes", "options", "field"),
    [
        (0, {"reason": "check_out"}, "minutes"),
        (-5, {"reason": "check_out"}, "minutes"),
        (MAX_POSTING_MINUTES + 1, {"reason": "check_out"}, "minutes"),
        (-MAX_POSTING_MINUTES - 1, {"reason": "correction"}, "minutes"),
        (True, {"reason": "check_out"}, "minutes"),
        (1.5, {"reason": "check_out"}, "minutes"),
        (5, {"reason": "bonus"}, "reason"),
        (5, {"reason": "correction", "note": "  "}, "note"),
        (5, {"reason": "correction", "note": "why", "actor_id": None}, "actor_id"),
        (5, {"reason": "check_out", "note": "x" * 2001}, "note"),
        (5, {"reason": "check_out", "worked_on": datetime(2026, 11, 10, 8)}, "worked_on"),
    ],
)
def test_volunteers_a_bad_posting_is_refused_naming_the_field(
    minutes: Any, options: dict[str, Any], field: str
) -> None:
    arguments = {"worked_on": WHEN, "actor_id": "staff", **options}
    with pytest.raises(InvalidInput) as refused:
        posting(VOLUNTEER, minutes, **arguments)
    assert refused.value.field == field


def test_volunteers_a_check_out_needs_no_note_and_notes_are_trimmed() -> None:
    made = posting(VOLUNTEER, MAX_POSTING_MINUTES, reason="check_out", worked_on=WHEN)
    assert made.note == "" and made.actor_id is None
    fixed = posting(
        VOLUNTEER, -1, reason="correction", worked_on=WHEN, actor_id="s", note="  late  "
    )
    assert fixed.note == "late"


def test_volunteers_a_balance_may_reach_zero_but_never_go_below() -> None:
    assert balance_after(60, -60) == 0
    assert balance_after(0, 30) == 30
    with pytest.raises(Conflict) as refused:
        balance_after(60, -61)
    assert refused.value.field == "minutes"


def test_volunteers_a_corrected_day_is_noon_in_the_districts_zone() -> None:
    # 2026-11-30T17:00Z is already 1 December (01:00) in Shanghai.
    now = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    day = corrected_day(date(2026, 12, 1), SHANGHAI, now)
    assert day.astimezone(UTC) == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as refused:
        corrected_day(date(2026, 12, 2), SHANGHAI, now)
    assert refused.value.field == "worked_on"


def test_volunteers_corrections_reach_back_a_year() -> None:
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert corrected_day(date(2025, 11, 29), SHANGHAI, now).date() == date(2025, 11, 29)
    with pytest.raises(InvalidInput) as refused:
        corrected_day(date(2025, 11, 28), SHANGHAI, now)
    assert refused.value.field == "worked_on"
