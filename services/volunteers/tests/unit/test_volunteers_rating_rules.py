"""The star rating's rules without a database: the default eight aspects, computed scores
scaled and capped, reliability and its fallback, the weighted total, the star thresholds, what
a district may configure and a branch may enter, and months in the district's zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from civicgrid_platform.errors import InvalidInput
from civicgrid_volunteers.domain.rating import (
    DEFAULT_ASPECTS,
    Aspect,
    ServiceRecord,
    check_aspects,
    check_entered,
    check_month,
    check_month_begun,
    month_window,
    rate,
    stars_for,
)

SHANGHAI = "Asia/Shanghai"
ENTERED = {"study": 80, "mutual_help": 90, "pioneering_example": 70, "activities": 60}


def test_volunteers_a_district_without_aspects_is_rated_over_eight_by_default() -> None:
    assert check_aspects(DEFAULT_ASPECTS) == DEFAULT_ASPECTS
    assert len(DEFAULT_ASPECTS) == 8
    sources = {a.code: a.source for a in DEFAULT_ASPECTS}
    assert {"study", "mutual_help", "pioneering_example", "activities"} <= set(sources)
    assert sorted(s for s in sources.values() if s != "entered") == [
        "hours",
        "reliability",
        "tasks",
    ]


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        (0, 1),
        (39.9, 1),
        (40, 2),
        (54.9, 2),
        (55, 3),
        (69.9, 3),
        (70, 4),
        (84.9, 4),
        (85, 5),
        (100, 5),
    ],
)
def test_volunteers_stars_follow_the_documented_thresholds(total: float, stars: int) -> None:
    assert stars_for(total) == stars


@pytest.mark.parametrize(
    ("record", "scores"),
    [
        (ServiceRecord(), (0, 0, 0)),
        (ServiceRecord(minutes=300, tasks_completed=1), (50, 25, 0)),
        (ServiceRecord(minutes=600, tasks_completed=4, kept=9, broken=1), (100, 100, 100)),
        (ServiceRecord(minutes=5000, tasks_completed=40, kept=1, broken=0), (100, 100, 100)),
        (ServiceRecord(minutes=-30), (0, 0, 0)),  # corrected below zero for the month
        (ServiceRecord(kept=1, broken=2), (0, 0, 37)),  # 33.3% of 90%
        (ServiceRecord(kept_ever=3, broken_ever=1), (0, 0, 83.3)),  # no month: the standing
        (ServiceRecord(kept=0, broken=1, kept_ever=9, broken_ever=1), (0, 0, 0)),
    ],
)
def test_volunteers_computed_aspects_scale_by_full_at_and_cap_at_100(
    record: ServiceRecord, scores: tuple[float, float, float]
) -> None:
    rating = rate(DEFAULT_ASPECTS, record, {})
    found = {a.code: a.score for a in rating.aspects}
    assert (found["service_hours"], found["tasks_done"], found["reliability"]) == scores


def test_volunteers_the_total_is_the_weighted_mean_and_gives_the_stars() -> None:
    record = ServiceRecord(minutes=300, tasks_completed=2, kept=2, broken=1)
    rating = rate(DEFAULT_ASPECTS, record, {**ENTERED, "conduct": 100})
    assert [a.score for a in rating.aspects] == [80, 90, 70, 60, 50, 50, 74.1, 100]
    assert (rating.total, rating.stars, rating.missing) == (71.8, 4, ())
    reliability = next(a for a in rating.aspects if a.code == "reliability")
    assert reliability.figure == 66.7

    heavy = [replace(a, weight=5.0) if a.code == "service_hours" else a for a in DEFAULT_ASPECTS]
    weighted = rate(heavy, record, {**ENTERED, "conduct": 100})
    # (574.1 + 4 * 50) / 12
    assert (weighted.total, weighted.stars) == (64.5, 3)


def test_volunteers_an_entered_aspect_not_scored_counts_zero_and_is_flagged() -> None:
    rating = rate(DEFAULT_ASPECTS, ServiceRecord(), {"study": 100})
    assert rating.missing == ("mutual_help", "pioneering_example", "activities", "conduct")
    assert (rating.total, rating.stars) == (12.5, 1)
    figures = {a.code: a.figure for a in rating.aspects}
    assert figures["study"] is None and figures["service_hours"] == 0


def test_volunteers_the_total_shown_is_the_one_the_stars_come_from() -> None:
    only = [Aspect("a", "A", "entered", 1.0), Aspect("b", "B", "entered", 2.0)]
    # (54.9 + 2 * 55.03) / 3 = 54.99 -> shown 55.0 -> 3 stars, not 2.
    rating = rate(only, ServiceRecord(), {"a": 54.9, "b": 55.03})
    assert (rating.total, rating.stars) == (55.0, 3)


def _aspect(**fields: Any) -> Aspect:
    return Aspect(
        **{"code": "study", "name": "Study", "source": "entered", "weight": 1.0, **fields}
    )


@pytest.mark.parametrize(
    ("aspects", "field"),
    [
        ([], "aspects"),
        ([_aspect()] * 21, "aspects"),
        ([_aspect(code="Study")], "aspects.0.code"),
        ([_aspect(), _aspect(name="again")], "aspects.1.code"),
        ([_aspect(name=" ")], "aspects.0.name"),
        ([_aspect(source="vibes")], "aspects.0.source"),
        ([_aspect(weight=0.0)], "aspects.0.weight"),
        ([_aspect(weight=float("nan"))], "aspects.0.weight"),
        ([_aspect(weight=101.0)], "aspects.0.weight"),
        ([_aspect(full_at=10.0)], "aspects.0.full_at"),
        ([_aspect(code="hours", source="hours")], "aspects.0.full_at"),
        ([_aspect(code="hours", source="hours", full_at=0.0)], "aspects.0.full_at"),
        ([_aspect(code="kept", source="reliability", full_at=101.0)], "aspects.0.full_at"),
    ],
)
def test_volunteers_a_bad_aspect_set_is_refused_naming_the_field(
    aspects: list[Aspect], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_aspects(aspects)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({}, "scores"),
        ({"kindness": 50}, "scores.kindness"),
        ({"service_hours": 50}, "scores.service_hours"),
        ({"study": 100.1}, "scores.study"),
        ({"study": -1}, "scores.study"),
        ({"study": float("inf")}, "scores.study"),
        ({"study": True}, "scores.study"),
        ({"study": "90"}, "scores.study"),
    ],
)
def test_volunteers_a_branch_enters_0_to_100_for_entered_aspects_only(
    scores: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_entered(DEFAULT_ASPECTS, scores)
    assert refused.value.field == field


def test_volunteers_entered_scores_are_kept_to_one_decimal() -> None:
    assert check_entered(DEFAULT_ASPECTS, {"study": 0, "conduct": 99.96}) == {
        "study": 0.0,
        "conduct": 100.0,
    }


def test_volunteers_a_month_runs_midnight_to_midnight_in_the_districts_zone() -> None:
    start, end = month_window("2026-11", SHANGHAI)
    assert start.astimezone(UTC) == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    december = month_window("2026-12", SHANGHAI)
    assert december[1].astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "month",
    ["2026-13", "2026-00", "26-11", "2026-1", "1999-12", "x", "\uff12\uff10\uff12\uff16-11"],
)
def test_volunteers_a_month_is_yyyy_mm(month: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_month(month)
    assert refused.value.field == "month"


def test_volunteers_only_a_month_that_has_begun_in_the_district_is_rated() -> None:
    # 2026-11-30T17:00Z is 1 December in Shanghai: December has begun there.
    now = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert check_month_begun("2026-12", now, SHANGHAI) == "2026-12"
    assert check_month_begun("2025-01", now, SHANGHAI) == "2025-01"
    with pytest.raises(InvalidInput):
        check_month_begun("2026-12", now, "Europe/London")
    with pytest.raises(InvalidInput):
        check_month_begun("2027-01", now, SHANGHAI)
