"""SLA policies and clocks: which target applies, when a deadline falls, how pauses move it.
The calendar is DEFAULT_CALENDAR (Shanghai, Mon-Fri 09:00-12:00 and 13:00-18:00); 2026-03-02
is a Monday. Expected instants are worked out by hand."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid_platform.errors import Conflict, InvalidInput
from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR as OFFICE
from civicgrid_tickets.domain.sla import (
    ClockKind,
    ClockState,
    Priority,
    SlaClock,
    SlaPolicy,
    SlaTarget,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def policy_data() -> dict[str, Any]:
    return {
        "version": 3,
        "targets": [
            {
                "category": "*",
                "priority": "*",
                "acknowledge_within_minutes": 240,
                "resolve_within_minutes": 2400,
            },
            {
                "category": "*",
                "priority": "P0",
                "acknowledge_within_minutes": 5,
                "resolve_within_minutes": 120,
                "warn_at_share": 0.5,
                "working_time": False,
            },
            {
                "category": "streetlights",
                "priority": "P2",
                "acknowledge_within_minutes": 60,
                "resolve_within_minutes": 960,
            },
        ],
    }


POLICY = SlaPolicy.from_dict(policy_data())
OFFICE_HOURS_TARGET = SlaTarget(acknowledge_within=H, resolve_within=16 * H)


@pytest.mark.parametrize(
    ("category", "priority", "resolve_within"),
    [
        ("streetlights", Priority.P2, 16 * H),  # exact match
        ("streetlights", Priority.P0, 2 * H),  # any category at this priority
        ("streetlights", Priority.P1, 40 * H),  # anything
        ("potholes", Priority.P3, 40 * H),
    ],
)
def test_target_for_falls_back_from_exact_to_priority_to_anything(
    category: str, priority: Priority, resolve_within: timedelta
) -> None:
    assert POLICY.target_for(category, priority).resolve_within == resolve_within


def test_a_policy_read_from_plain_data() -> None:
    assert POLICY.version == 3
    emergency = POLICY.target_for("elderly-alert", Priority.P0)
    assert emergency == SlaTarget(5 * MIN, 2 * H, warn_at_share=0.5, working_time=False)
    assert POLICY.target_for("roads", Priority.P1).warn_at_share == 0.8  # the default
    assert POLICY.target_for("roads", Priority.P1).working_time is True


def test_a_policy_cannot_change_after_it_is_made() -> None:
    targets = {("*", "*"): OFFICE_HOURS_TARGET}
    policy = SlaPolicy(version=1, targets=targets)
    targets[("*", "P0")] = SlaTarget(MIN, H)  # the caller's dict is not the policy's
    assert policy.target_for("roads", Priority.P0) == OFFICE_HOURS_TARGET
    with pytest.raises(TypeError):
        policy.targets[("*", "P1")] = OFFICE_HOURS_TARGET  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.version = 2  # type: ignore[misc]


def with_target(index: int, **changes: Any) -> dict[str, Any]:
    data = policy_data()
    data["targets"][index].update(changes)
    return data


def without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**policy_data(), "version": 0}, "version"),
        ({**policy_data(), "version": "3"}, "version"),
        ({**policy_data(), "version": True}, "version"),
        ({**policy_data(), "versoin": 3}, "versoin"),
        (without(policy_data(), "targets"), "targets"),
        ({**policy_data(), "targets": []}, "targets"),
        ({**policy_data(), "targets": ["P1"]}, "targets.0"),
        (with_target(2, priority="P9"), "targets.2.priority"),
        (with_target(2, priority=["P1"]), "targets.2.priority"),
        (with_target(2, priority="*"), "targets.2.priority"),  # a category needs a priority
        (with_target(2, category=""), "targets.2.category"),
        (with_target(0, acknowledge_within_minutes=0), "targets.0.acknowledge_within_minutes"),
        (with_target(0, acknowledge_within_minutes=1.5), "targets.0.acknowledge_within_minutes"),
        (with_target(0, acknowledge_within_minutes=True), "targets.0.acknowledge_within_minutes"),
        (with_target(0, resolve_within_minutes=239), "targets.0.resolve_within_minutes"),
        (with_target(1, warn_at_share=1.0), "targets.1.warn_at_share"),
        (with_target(1, warn_at_share=0), "targets.1.warn_at_share"),
        (with_target(1, warn_at_share="0.8"), "targets.1.warn_at_share"),
        (with_target(1, warn_at_share=float("nan")), "targets.1.warn_at_share"),
        (with_target(1, working_time="yes"), "targets.1.working_time"),
        (with_target(1, colour="red"), "targets.1.colour"),
        (with_target(2, priority="P0", category="*"), "targets.2"),  # a second (*, P0)
        ({**policy_data(), "targets": policy_data()["targets"][1:]}, "targets"),  # no fallback
    ],
)
def test_bad_policies_are_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        SlaPolicy.from_dict(data)
    assert refused.value.field == field


def test_a_fallback_per_priority_is_enough() -> None:
    targets = {("*", p.value): OFFICE_HOURS_TARGET for p in Priority}
    assert SlaPolicy(1, targets).target_for("roads", Priority.P3) == OFFICE_HOURS_TARGET
    del targets[("*", "P3")]
    with pytest.raises(InvalidInput, match="P3") as refused:
        SlaPolicy(1, targets)
    assert refused.value.field == "targets"


def test_a_clock_takes_its_budget_and_kind_of_time_from_the_target() -> None:
    emergency = POLICY.target_for("elderly-alert", Priority.P0)
    clock = SlaClock.start(ClockKind.ACKNOWLEDGE, emergency, sh(2026, 3, 7, 3))
    assert (clock.budget, clock.working_time, clock.warn_at_share) == (5 * MIN, False, 0.5)
    assert clock.started_at.tzinfo is UTC
    resolve = SlaClock.start(ClockKind.RESOLVE, OFFICE_HOURS_TARGET, sh(2026, 3, 2, 9))
    assert resolve.budget == 16 * H


def test_deadline_warning_and_states_in_working_time() -> None:
    # Friday 16:00 + 16 working hours: 2 h Friday, 8 h Monday, 6 h Tuesday.
    clock = SlaClock.start(ClockKind.RESOLVE, OFFICE_HOURS_TARGET, sh(2026, 3, 6, 16))
    assert clock.deadline(OFFICE) == sh(2026, 3, 10, 16)
    assert clock.warn_at(OFFICE) == sh(2026, 3, 10, 11, 48)  # 80 %: 12 h 48 min
    assert clock.warn_at(OFFICE, 0.5) == sh(2026, 3, 9, 16)  # 8 h: 2 h Friday, 6 h Monday
    assert clock.elapsed(OFFICE, sh(2026, 3, 9, 10)) == 3 * H
    assert clock.state(OFFICE, sh(2026, 3, 9, 10)) == ClockState.OK
    assert clock.state(OFFICE, sh(2026, 3, 10, 11, 47, 59)) == ClockState.OK
    assert clock.state(OFFICE, sh(2026, 3, 10, 11, 48)) == ClockState.WARNING
    assert clock.state(OFFICE, sh(2026, 3, 10, 16) - MICROSECOND) == ClockState.WARNING
    assert clock.state(OFFICE, sh(2026, 3, 10, 16)) == ClockState.BREACHED


def test_a_pause_over_the_weekend_moves_the_deadline_by_the_working_time_paused() -> None:
    # Thursday 10:00 + 16 h: 7 h Thursday, 8 h Friday, 1 h Monday -> Monday 10:00.
    clock = SlaClock.start(ClockKind.RESOLVE, OFFICE_HOURS_TARGET, sh(2026, 3, 5, 10))
    assert clock.deadline(OFFICE) == sh(2026, 3, 9, 10)
    waiting = clock.pause(sh(2026, 3, 6, 17))  # waiting on the resident from Friday 17:00
    assert waiting.deadline(OFFICE) is None
    assert waiting.warn_at(OFFICE) is None
    assert waiting.state(OFFICE, sh(2026, 3, 7, 12)) == ClockState.PAUSED
    assert waiting.elapsed(OFFICE, sh(2026, 3, 9, 10, 59)) == 14 * H  # frozen at the pause
    resumed = waiting.resume(sh(2026, 3, 9, 11), OFFICE)  # Monday 11:00
    assert resumed.paused_total == 3 * H  # Friday 17-18 and Monday 09-11
    assert resumed.deadline(OFFICE) == sh(2026, 3, 9, 14)  # 1 h before lunch, 1 h after
    assert resumed.elapsed(OFFICE, sh(2026, 3, 9, 11)) == 14 * H
    assert resumed.state(OFFICE, sh(2026, 3, 9, 13, 59)) == ClockState.WARNING
    assert resumed.state(OFFICE, sh(2026, 3, 9, 14)) == ClockState.BREACHED
    assert clock.deadline(OFFICE) == sh(2026, 3, 9, 10)  # the original is unchanged


def test_a_pause_outside_working_hours_costs_nothing() -> None:
    clock = SlaClock.start(ClockKind.RESOLVE, OFFICE_HOURS_TARGET, sh(2026, 3, 5, 10))
    resumed = clock.pause(sh(2026, 3, 6, 18, 30)).resume(sh(2026, 3, 9, 8, 45), OFFICE)
    assert resumed.paused_total == timedelta(0)
    assert resumed.deadline(OFFICE) == sh(2026, 3, 9, 10)


def test_pausing_twice_or_resuming_a_running_clock_is_a_conflict() -> None:
    clock = SlaClock.start(ClockKind.ACKNOWLEDGE, OFFICE_HOURS_TARGET, sh(2026, 3, 2, 9))
    with pytest.raises(Conflict):
        clock.resume(sh(2026, 3, 2, 10), OFFICE)
    with pytest.raises(Conflict):
        clock.pause(sh(2026, 3, 2, 10)).pause(sh(2026, 3, 2, 11))


def test_a_breach_stays_a_breach_when_paused_later() -> None:
    clock = SlaClock.start(ClockKind.ACKNOWLEDGE, OFFICE_HOURS_TARGET, sh(2026, 3, 2, 9))
    paused = clock.pause(sh(2026, 3, 2, 11))  # an hour after the deadline of 10:00
    assert paused.state(OFFICE, sh(2026, 3, 2, 11, 30)) == ClockState.BREACHED
    resumed = paused.resume(sh(2026, 3, 2, 14), OFFICE)
    assert resumed.state(OFFICE, sh(2026, 3, 2, 14)) == ClockState.BREACHED


def test_an_emergency_clock_runs_around_the_clock() -> None:
    emergency = POLICY.target_for("elderly-alert", Priority.P0)
    saturday_night = sh(2026, 3, 7, 3)
    clock = SlaClock.start(ClockKind.ACKNOWLEDGE, emergency, saturday_night)
    assert clock.deadline(OFFICE) == saturday_night + 5 * MIN
    resumed = clock.pause(saturday_night + MIN).resume(saturday_night + 11 * MIN, OFFICE)
    assert resumed.paused_total == 10 * MIN
    assert resumed.deadline(OFFICE) == saturday_night + 15 * MIN
    assert resumed.state(OFFICE, saturday_night + 14 * MIN) == ClockState.WARNING


def test_an_emergency_hour_is_a_real_hour_when_the_clocks_fall_back() -> None:
    new_york = ZoneInfo("America/New_York")
    # 01:30 EDT on 1 Nov 2026 is 05:30 UTC; one real hour later it is 01:30 EST.
    started = datetime(2026, 11, 1, 1, 30, tzinfo=new_york)
    clock = SlaClock(ClockKind.RESOLVE, started, budget=H, working_time=False)
    assert clock.deadline(OFFICE) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "call",
    [
        lambda: SlaClock(ClockKind.RESOLVE, datetime(2026, 3, 2, 9), H),  # naive
        lambda: SlaClock(ClockKind.RESOLVE, sh(2026, 3, 2, 9), timedelta(0)),
        lambda: SlaClock(ClockKind.RESOLVE, sh(2026, 3, 2, 9), H, warn_at_share=1.0),
        lambda: SlaClock(ClockKind.RESOLVE, sh(2026, 3, 2, 9), H).pause(sh(2026, 3, 2, 8)),
        lambda: (
            SlaClock(ClockKind.RESOLVE, sh(2026, 3, 2, 9), H)
            .pause(sh(2026, 3, 2, 10))
            .resume(sh(2026, 3, 2, 9, 30), OFFICE)
        ),
        lambda: SlaClock(ClockKind.RESOLVE, sh(2026, 3, 2, 9), H).warn_at(OFFICE, 0),
    ],
)
def test_impossible_clocks_are_programming_errors(call: Any) -> None:
    with pytest.raises(ValueError):
        call()


@settings(max_examples=100, deadline=None)
@given(
    start=st.timedeltas(timedelta(0), timedelta(days=60)),
    budget=st.timedeltas(MIN, 200 * H),
    pause_after=st.timedeltas(timedelta(0), timedelta(days=30)),
    pause_for=st.timedeltas(timedelta(0), timedelta(days=10)),
)
def test_a_pause_moves_the_deadline_by_exactly_the_working_time_paused(
    start: timedelta, budget: timedelta, pause_after: timedelta, pause_for: timedelta
) -> None:
    started = sh(2026, 3, 1) + start
    clock = SlaClock(ClockKind.RESOLVE, started, budget)
    paused_at = started + pause_after
    resumed = clock.pause(paused_at).resume(paused_at + pause_for, OFFICE)
    before, after = clock.deadline(OFFICE), resumed.deadline(OFFICE)
    assert before is not None and after is not None
    assert OFFICE.between(before, after) == OFFICE.between(paused_at, paused_at + pause_for)
    if after > paused_at + pause_for:  # not breached before the pause ended
        assert resumed.state(OFFICE, after - MICROSECOND) == ClockState.WARNING
        assert resumed.state(OFFICE, after) == ClockState.BREACHED
        assert resumed.elapsed(OFFICE, after) == budget
