"""What a district may publish as its rules: the three kinds, read by the domain's own parsers,
with the server's numbering in place of any version the body brings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_tickets.domain.sla import MAX_BUDGET_MINUTES
from civicgrid_tickets.domain.tenant_rules import (
    BUILT_IN,
    BUILT_IN_BODIES,
    BUILT_IN_RULES,
    RuleKind,
    parse_rule,
    rule_body,
    rule_kind,
)


@pytest.mark.parametrize("kind", list(RuleKind))
def test_the_built_in_bodies_read_back_as_the_built_in_rules(kind: RuleKind) -> None:
    assert parse_rule(kind, BUILT_IN_BODIES[kind], 1) == BUILT_IN_RULES[kind]
    assert "version" not in BUILT_IN_BODIES[kind]


def test_the_server_numbers_a_publication_whatever_version_the_body_names() -> None:
    body = {**BUILT_IN_BODIES[RuleKind.SLA_POLICY], "version": 99}
    assert rule_body(body) == BUILT_IN_BODIES[RuleKind.SLA_POLICY]
    assert parse_rule(RuleKind.SLA_POLICY, body, 2).version == 2
    formula = {**BUILT_IN_BODIES[RuleKind.EVALUATION_FORMULA], "version": "x"}
    assert parse_rule(RuleKind.EVALUATION_FORMULA, formula, 3).version == 3
    calendar = {**BUILT_IN_BODIES[RuleKind.CALENDAR], "version": 7}  # no version of its own
    assert parse_rule(RuleKind.CALENDAR, calendar, 2) == BUILT_IN.calendar


def test_a_calendar_with_a_holiday_and_a_make_up_day() -> None:
    body = {
        **BUILT_IN_BODIES[RuleKind.CALENDAR],
        "holidays": ["2026-10-01"],
        "makeup_days": [{"date": "2026-10-10", "schedule_of": "fri"}],
    }
    calendar = parse_rule(RuleKind.CALENDAR, body, 2)
    assert calendar.holidays == frozenset({date(2026, 10, 1)})
    assert calendar.makeup_days == ((date(2026, 10, 10), 4),)


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        (RuleKind.SLA_POLICY, {"targets": []}, "targets"),
        (
            RuleKind.SLA_POLICY,
            {"targets": [{"category": "*", "priority": "P9"}]},
            "targets.0.priority",
        ),
        (
            RuleKind.SLA_POLICY,
            {
                "targets": [
                    {
                        "category": "*",
                        "priority": "*",
                        "acknowledge_within_minutes": 10**20,
                        "resolve_within_minutes": 10**20,
                    }
                ]
            },
            "targets.0.acknowledge_within_minutes",
        ),
        (RuleKind.SLA_POLICY, {"targets": [], "extra": 1}, "extra"),
        (RuleKind.CALENDAR, {"timezone": "Mars/Olympus", "hours": {}}, "timezone"),
        (
            RuleKind.CALENDAR,
            {"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00", "18:00"]]}, "holidays": [1]},
            "holidays.0",
        ),
        (RuleKind.EVALUATION_FORMULA, {"weights": {"speed": 1}}, "weights.speed"),
        (RuleKind.EVALUATION_FORMULA, {}, "weights"),
        (
            RuleKind.EVALUATION_FORMULA,
            {"weights": {"response_rate": 1}, "min_sample": -1},
            "min_sample",
        ),
    ],
)
def test_a_bad_body_is_refused_naming_the_field(
    kind: RuleKind, body: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_rule(kind, body, 2)
    assert refused.value.field == field


def test_a_budget_may_be_as_long_as_a_year_and_no_longer() -> None:
    target = {"category": "*", "priority": "*", "acknowledge_within_minutes": 60}
    year = {"targets": [{**target, "resolve_within_minutes": MAX_BUDGET_MINUTES}]}
    assert parse_rule(RuleKind.SLA_POLICY, year, 2)
    longer = {"targets": [{**target, "resolve_within_minutes": MAX_BUDGET_MINUTES + 1}]}
    with pytest.raises(InvalidInput):
        parse_rule(RuleKind.SLA_POLICY, longer, 2)


def test_only_the_three_kinds_exist() -> None:
    assert [rule_kind(k.value) for k in RuleKind] == list(RuleKind)
    with pytest.raises(NotFound) as unknown:
        rule_kind("holidays")
    assert unknown.value.field == "kind"
    with pytest.raises(InvalidInput):
        rule_body(["not", "an", "object"])
