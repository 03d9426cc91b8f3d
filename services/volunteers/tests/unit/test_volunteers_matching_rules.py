"""Matching as rules: each filter refuses exactly what it should (and the case beside it
passes), the score's parts add up to the total stored with every offer, ranking is best first
and repeatable, and a round makes as many offers as the task's urgency asks for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from civicgrid_volunteers.domain.availability import Period, WeeklySlot
from civicgrid_volunteers.domain.matching import (
    Candidate,
    Need,
    Record,
    SkillNeed,
    factor_values,
    rank,
    refusal,
    score,
)
from civicgrid_volunteers.domain.policy import DEFAULT, FACTORS, MatchingPolicy, Weights
from civicgrid_volunteers.domain.tasks import CANCELLED, FILLED, OPEN, Task
from civicgrid_volunteers.usecases.offering import wanted_offers

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
START = datetime(2026, 11, 30, 9, tzinfo=UTC)  # a Monday, 09:00-10:00 UTC
END = START + timedelta(hours=1)
GRID, COMMUNITY = uuid4(), uuid4()
ALL_WEEK = tuple(WeeklySlot(day, time(0), time(0)) for day in range(7))


def need(**changes: Any) -> Need:
    base = Need(
        starts_at=START,
        ends_at=END,
        skills=(SkillNeed("first_aid", 2),),
        grid_id=GRID,
        community_id=COMMUNITY,
    )
    return replace(base, **changes)


def volunteer(**changes: Any) -> Candidate:
    """Passes every filter of need(): near, skilled, free all week, well under the caps."""
    base = Candidate(
        volunteer_id=uuid4(),
        person_id=uuid4(),
        display_name="Li Na",
        distance_m=500,
        skills={"first_aid": 3},
        timezone="UTC",
        slots=ALL_WEEK,
        grid_id=uuid4(),
        community_id=uuid4(),
    )
    return replace(base, **changes)


def test_the_baseline_volunteer_passes_every_filter() -> None:
    assert refusal(need(), volunteer(), DEFAULT, NOW) is None


SAFE = {"needs_safeguarding": True}
URGENT = {"urgent": True}
# reason, the task's changes, the refused volunteer, volunteers beside it that pass
REFUSALS: list[tuple[str, dict[str, Any], dict[str, Any], list[dict[str, Any]]]] = [
    ("inactive", {}, {"active": False}, [{"active": True}]),
    (
        "paused",
        {},
        {"paused_until": NOW + timedelta(minutes=1)},
        [{"paused_until": NOW}, {"paused_until": NOW - timedelta(days=1)}],
    ),
    ("skills", {}, {"skills": {"first_aid": 1}}, [{"skills": {"first_aid": 2}}]),
    ("skills", {}, {"skills": {"cooking": 5}}, [{"skills": {"first_aid": 5, "cooking": 1}}]),
    (
        "safeguarding",
        SAFE,
        {"safeguarding_until": END.date() - timedelta(days=1)},
        [{"safeguarding_until": END.date()}, {"safeguarding_until": date(2030, 1, 1)}],
    ),
    ("safeguarding", SAFE, {"safeguarding_until": None}, [{"safeguarding_until": END.date()}]),
    ("off_duty", URGENT, {"on_duty": False}, [{"on_duty": True}]),
    (
        "distance",
        {},
        {"distance_m": 3000.5},
        [{"distance_m": 3000}, {"distance_m": 9000, "grid_id": GRID}],
    ),
    ("distance", {}, {"distance_m": 9000}, [{"distance_m": 9000, "community_id": COMMUNITY}]),
    (
        "unavailable",
        {},
        {"unavailable": (Period(END - timedelta(minutes=1), END + timedelta(days=2)),)},
        [{"unavailable": (Period(END, END + timedelta(days=2)),)}],
    ),
    (
        "availability",
        {},
        {"slots": (WeeklySlot(0, time(9, 1), time(12)),)},
        [{"slots": (WeeklySlot(0, time(9), time(10)),)}],
    ),
    ("clash", {}, {"clashes": 1}, [{"clashes": 0}]),
    (
        "weekly_task_cap",
        {},
        {"weekly_task_cap": 3, "week_tasks": 3},
        [{"weekly_task_cap": 3, "week_tasks": 2}],
    ),
    (
        "weekly_hours_cap",
        {},
        {"weekly_minutes_cap": 600, "week_minutes": 541},
        [{"weekly_minutes_cap": 600, "week_minutes": 540}],
    ),
]


@pytest.mark.parametrize(
    ("reason", "task", "refused", "passing"),
    REFUSALS,
    ids=[f"{case[0]}-{n}" for n, case in enumerate(REFUSALS)],
)
def test_each_filter_refuses_its_case_and_passes_the_one_beside_it(
    reason: str, task: dict[str, Any], refused: dict[str, Any], passing: list[dict[str, Any]]
) -> None:
    assert refusal(need(**task), volunteer(**refused), DEFAULT, NOW) == reason
    for changes in passing:
        assert refusal(need(**task), volunteer(**changes), DEFAULT, NOW) is None, changes


def test_a_task_without_grid_or_community_does_not_pair_volunteers_without_one() -> None:
    far = volunteer(distance_m=9000, grid_id=None, community_id=None)
    assert refusal(need(grid_id=None, community_id=None), far, DEFAULT, NOW) == "distance"


def test_the_district_radius_decides_who_is_near() -> None:
    wide = MatchingPolicy(radius_m=10_000)
    assert refusal(need(), volunteer(distance_m=9000), DEFAULT, NOW) == "distance"
    assert refusal(need(), volunteer(distance_m=9000), wide, NOW) is None


def test_every_skill_the_task_asks_for_must_be_at_its_level() -> None:
    two = need(skills=(SkillNeed("first_aid", 2), SkillNeed("driving", 3)))
    assert refusal(two, volunteer(skills={"first_aid": 5, "driving": 2}), DEFAULT, NOW) == "skills"
    assert refusal(two, volunteer(skills={"first_aid": 2, "driving": 3}), DEFAULT, NOW) is None


def parts_of(m: Any) -> dict[str, Any]:
    return {p.factor: p for p in m.parts}


def test_score_breakdown_adds_up_to_the_total_with_values_in_0_to_1() -> None:
    c = volunteer(
        distance_m=1200,
        skills={"first_aid": 4},
        record=Record(accepted=5, declined=2, expired=1, completed=4, no_shows=1),
        visits_with_client=2,
        minutes_30d=300,
        ignored_recently=1,
    )
    m = score(need(client_person_id=uuid4()), c, DEFAULT)
    assert [p.factor for p in m.parts] == list(FACTORS)
    for p in m.parts:
        assert 0 <= p.value <= 1
        assert p.weight == DEFAULT.weights.of(p.factor)
        assert p.points == pytest.approx(p.value * p.weight, abs=1e-3)
    assert m.score == pytest.approx(sum(p.points for p in m.parts), abs=1e-4)
    assert m.candidate is c


def test_default_weights_sum_to_one_so_a_perfect_volunteer_scores_one() -> None:
    assert sum(DEFAULT.weights.of(f) for f in FACTORS) == pytest.approx(1.0)
    best = volunteer(
        distance_m=0,
        skills={"first_aid": 5},
        record=Record(accepted=1_000_000, completed=1_000_000),
        visits_with_client=3,
    )
    assert score(need(client_person_id=uuid4()), best, DEFAULT).score == pytest.approx(1, abs=1e-3)


def test_a_zero_weight_removes_that_factors_influence() -> None:
    no_proximity = MatchingPolicy(weights=Weights(proximity=0))
    near, far = volunteer(distance_m=100), volunteer(distance_m=2900)
    assert score(need(), near, DEFAULT).score > score(need(), far, DEFAULT).score
    assert score(need(), near, no_proximity).score == score(need(), far, no_proximity).score
    assert parts_of(score(need(), near, no_proximity))["proximity"].points == 0


def test_custom_weights_change_which_of_two_volunteers_ranks_first() -> None:
    busy_neighbour = volunteer(distance_m=100, minutes_30d=1200)
    fresh_further = volunteer(distance_m=2900, minutes_30d=0)
    fair = MatchingPolicy(weights=Weights(proximity=0.1, fairness=0.5))
    people = [busy_neighbour, fresh_further]
    assert [m.candidate for m in rank(need(), people, DEFAULT, NOW, 2)] == people
    assert [m.candidate for m in rank(need(), people, fair, NOW, 2)] == people[::-1]


def values(c: Candidate, **task: Any) -> dict[str, float]:
    return factor_values(need(**task), c, DEFAULT)


def test_proximity_is_one_at_the_door_and_zero_from_the_radius_on() -> None:
    assert values(volunteer(distance_m=0))["proximity"] == 1
    assert values(volunteer(distance_m=1500))["proximity"] == pytest.approx(0.5)
    assert values(volunteer(distance_m=3000))["proximity"] == 0
    assert values(volunteer(distance_m=9000, grid_id=GRID))["proximity"] == 0


def test_skill_value_grows_with_level_above_the_minimum() -> None:
    by_level = [values(volunteer(skills={"first_aid": lv}))["skill"] for lv in (2, 3, 4, 5)]
    assert by_level == sorted(by_level) and by_level[-1] == 1 and by_level[0] > 0
    assert values(volunteer(), skills=())["skill"] == 1


def test_continuity_counts_only_when_the_task_is_for_a_known_person() -> None:
    regular = volunteer(visits_with_client=3)
    assert values(regular)["continuity"] == 0
    client = {"client_person_id": uuid4()}
    assert values(regular, **client)["continuity"] == 1
    assert values(volunteer(visits_with_client=1), **client)["continuity"] == pytest.approx(1 / 3)
    assert values(volunteer(visits_with_client=9), **client)["continuity"] == 1
    assert values(volunteer(visits_with_client=0), **client)["continuity"] == 0


def test_fairness_falls_as_minutes_served_in_30_days_grow() -> None:
    got = [values(volunteer(minutes_30d=m))["fairness"] for m in (0, 300, 600, 1200, 5000)]
    assert got == pytest.approx([1, 0.75, 0.5, 0, 0])


def test_fatigue_falls_as_recent_offers_are_ignored() -> None:
    got = [values(volunteer(ignored_recently=n))["fatigue"] for n in (0, 1, 2, 3, 7)]
    assert got == pytest.approx([1, 2 / 3, 1 / 3, 0, 0])


def reliability(**record: int) -> float:
    return values(volunteer(record=Record(**record)))["reliability"]


def test_reliability_puts_a_newcomer_in_the_middle() -> None:
    assert reliability() == pytest.approx(0.5)


def test_reliability_rewards_accepting_and_completing() -> None:
    assert reliability(accepted=5, completed=5) > reliability(accepted=1, completed=1) > 0.5
    assert reliability(accepted=5, declined=5, expired=5) < reliability(accepted=5) < 1
    assert reliability(declined=3) < 0.5
    assert reliability(accepted=4, completed=3, no_shows=1) > reliability(
        accepted=4, completed=1, no_shows=3
    )


def test_reliability_punishes_no_shows_and_late_cancellations() -> None:
    kept = reliability(accepted=4, completed=4)
    assert reliability(accepted=4, completed=4, no_shows=1) < kept
    assert reliability(accepted=4, completed=4, late_cancellations=1) < kept
    assert reliability(accepted=1, no_shows=1) < 0.5


def test_rank_keeps_only_passing_volunteers_best_first_and_at_most_n() -> None:
    best = volunteer(distance_m=100)
    good = volunteer(distance_m=1000)
    fair = volunteer(distance_m=2000)
    refused = [volunteer(distance_m=0, active=False), volunteer(distance_m=0, clashes=1)]
    ranked = rank(need(), [fair, *refused, best, good], DEFAULT, NOW, 5)
    assert [m.candidate for m in ranked] == [best, good, fair]
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert [m.candidate for m in rank(need(), [fair, best, good], DEFAULT, NOW, 2)] == [best, good]
    assert rank(need(), refused, DEFAULT, NOW, 5) == []


def test_rank_breaks_ties_by_distance_then_by_id_whatever_the_input_order() -> None:
    flat = MatchingPolicy(weights=Weights(proximity=0))  # distance changes no score
    a = volunteer(volunteer_id=UUID(int=2), distance_m=100)
    b = volunteer(volunteer_id=UUID(int=1), distance_m=200)
    c = volunteer(volunteer_id=UUID(int=3), distance_m=200)
    expected = [a, b, c]
    for order in ([c, b, a], [b, a, c], [a, c, b]):
        ranked = rank(need(), order, flat, NOW, 3)
        assert len({m.score for m in ranked}) == 1
        assert [m.candidate for m in ranked] == expected


def test_weights_are_bounded_and_name_only_known_factors() -> None:
    for bad in ({"proximity": -0.1}, {"skill": 10.5}, {"charisma": 1}):
        with pytest.raises(ValidationError):
            Weights.model_validate(bad)
    with pytest.raises(ValidationError):
        MatchingPolicy(radius_m=0)
    partial = MatchingPolicy.model_validate({"weights": {"fairness": 2}})
    assert partial.weights.fairness == 2 and partial.weights.proximity == DEFAULT.weights.proximity


def test_offer_timeout_follows_the_task_urgency() -> None:
    assert DEFAULT.offer_timeout("normal") == timedelta(hours=4)
    assert DEFAULT.offer_timeout("high") == timedelta(hours=1)
    assert DEFAULT.offer_timeout("urgent") == timedelta(minutes=5)


def mostly(usual: object, rare: object) -> st.SearchStrategy[Any]:
    """Three in four examples take the usual value, so many candidates pass every filter."""
    return st.sampled_from([usual, usual, usual, rare])


candidates = st.builds(
    volunteer,
    volunteer_id=st.uuids(),
    distance_m=st.floats(0, 4000, allow_nan=False),
    skills=st.fixed_dictionaries({"first_aid": st.integers(1, 5)}),
    grid_id=mostly(GRID, None),
    record=st.builds(
        Record,
        accepted=st.integers(0, 40),
        declined=st.integers(0, 40),
        expired=st.integers(0, 40),
        completed=st.integers(0, 40),
        no_shows=st.integers(0, 10),
        late_cancellations=st.integers(0, 10),
    ),
    on_duty=mostly(True, False),
    active=mostly(True, False),
    clashes=mostly(0, 1),
    week_tasks=st.integers(0, 3),
    week_minutes=st.integers(0, 600),
    minutes_30d=st.integers(0, 3000),
    ignored_recently=st.integers(0, 6),
    visits_with_client=st.integers(0, 6),
)
weights = st.builds(Weights, **{f: st.floats(0, 10, allow_nan=False) for f in FACTORS})


@settings(max_examples=150, deadline=None)
@given(
    people=st.lists(candidates, max_size=12, unique_by=lambda c: c.volunteer_id),
    w=weights,
    urgent=st.booleans(),
    client=st.sampled_from([None, uuid4()]),
    n=st.integers(0, 15),
)
def test_property_breakdowns_add_up_and_rank_is_sorted_and_filtered(
    people: list[Candidate], w: Weights, urgent: bool, client: UUID | None, n: int
) -> None:
    policy = MatchingPolicy(weights=w)
    asked = need(urgent=urgent, client_person_id=client)
    for c in people:
        m = score(asked, c, policy)
        for p in m.parts:
            assert p.points == pytest.approx(p.value * p.weight, abs=1e-3)
        assert m.score == pytest.approx(sum(p.points for p in m.parts), abs=1e-4)
    ranked = rank(asked, people, policy, NOW, n)
    passing = [c for c in people if refusal(asked, c, policy, NOW) is None]
    # Values are 0..1 for whoever may be offered the task (the only ones rank() scores).
    assert all(0 <= p.value <= 1 for c in passing for p in score(asked, c, policy).parts)
    assert len(ranked) == min(n, len(passing))
    assert all(refusal(asked, m.candidate, policy, NOW) is None for m in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    chosen = {m.candidate.volunteer_id for m in ranked}
    left_out = [score(asked, c, policy).score for c in passing if c.volunteer_id not in chosen]
    assert not ranked or all(s <= ranked[-1].score for s in left_out)


def task(**changes: Any) -> Task:
    base = Task(
        id=uuid4(),
        tenant_id=uuid4(),
        kind="elderly_visit",
        title="Visit Mrs Wang",
        description="",
        lat=36.65,
        lon=117.0,
        grid_id=GRID,
        community_id=COMMUNITY,
        starts_at=START,
        ends_at=END,
        skills=(),
        volunteers_needed=1,
        volunteers_accepted=0,
        urgency="normal",
        needs_safeguarding=False,
        status=OPEN,
        source="staff",
        source_ref="",
        client_person_id=None,
        offer_round=0,
        created_at=NOW,
    )
    return replace(base, **changes)


def test_a_normal_task_waits_on_one_offer_per_open_place() -> None:
    assert wanted_offers(task(volunteers_needed=3), 1, DEFAULT) == 2
    assert wanted_offers(task(volunteers_needed=3, volunteers_accepted=1), 1, DEFAULT) == 1
    assert wanted_offers(task(volunteers_needed=3), 3, DEFAULT) == 0
    assert wanted_offers(task(volunteers_needed=1, urgency="high"), 0, DEFAULT) == 1


def test_an_urgent_task_goes_to_the_districts_top_k_at_once() -> None:
    urgent = task(urgency="urgent", volunteers_needed=1)
    assert wanted_offers(urgent, 2, MatchingPolicy(urgent_parallel=5)) == 3
    assert wanted_offers(urgent, 0, MatchingPolicy(urgent_parallel=5)) == 5
    assert wanted_offers(urgent, 7, MatchingPolicy(urgent_parallel=5)) == 0
    many = task(urgency="urgent", volunteers_needed=8)
    assert wanted_offers(many, 0, MatchingPolicy(urgent_parallel=5)) == 8


def test_a_filled_or_cancelled_task_wants_no_more_offers() -> None:
    assert wanted_offers(task(status=FILLED, volunteers_accepted=1), 0, DEFAULT) == 0
    assert wanted_offers(task(status=CANCELLED), 0, DEFAULT) == 0
    assert wanted_offers(task(volunteers_needed=2, volunteers_accepted=2), 0, DEFAULT) == 0
