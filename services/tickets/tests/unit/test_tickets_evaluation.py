"""Monthly evaluation: figures, scores, sibling ranks and the published CSV.

Every expected number is written out literally and worked by hand in the comment beside it;
none is computed by the code under test.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.evaluation import (
    BELOW_MINIMUM_SAMPLE,
    DEFAULT_FORMULA,
    NO_SCORED_FIGURE,
    EvaluationFormula,
    UnitCounts,
    UnitFigures,
    UnitLevel,
    evaluate,
    to_csv,
)

GRID, COMMUNITY, STREET = UnitLevel.GRID, UnitLevel.COMMUNITY, UnitLevel.STREET


def unit(unit_id: str = "G1", parent_id: str | None = "C1", **overrides: Any) -> UnitCounts:
    """A consistent unit; the defaults are fixture A below."""
    values: dict[str, Any] = {
        "level": GRID,
        "received": 20,
        "acknowledged": 19,
        "acknowledged_in_time": 18,
        "resolved": 16,
        "resolved_on_time": 12,
        "rated": 10,
        "satisfied": 9,
        "resolve_minutes_median": 1800.0,
        "resolved_in_grid": 8,
        "resolved_in_community": 12,
        "reopened": 2,
        "commitments_due": 4,
        "commitments_on_time": 3,
    }
    values.update(overrides)
    return UnitCounts(unit_id=unit_id, parent_id=parent_id, **values)


def resolved_only(unit_id: str, parent_id: str, received: int, resolved: int) -> UnitCounts:
    """A unit whose only non-zero outcome is resolved tickets (for the resolution-only formula)."""
    return UnitCounts(
        unit_id=unit_id,
        parent_id=parent_id,
        level=GRID,
        received=received,
        acknowledged=0,
        acknowledged_in_time=0,
        resolved=resolved,
        resolved_on_time=0,
        rated=0,
        satisfied=0,
        resolve_minutes_median=60.0 if resolved else None,
        resolved_in_grid=0,
        resolved_in_community=0,
        reopened=0,
        commitments_due=0,
        commitments_on_time=0,
    )


# Fixture B: no ratings, no commitments due, slow median.
UNIT_B = {
    "received": 10,
    "acknowledged": 10,
    "acknowledged_in_time": 8,
    "resolved": 8,
    "resolved_on_time": 6,
    "rated": 0,
    "satisfied": 0,
    "resolve_minutes_median": 5400.0,
    "resolved_in_grid": 4,
    "resolved_in_community": 6,
    "reopened": 0,
    "commitments_due": 0,
    "commitments_on_time": 0,
}

# Fixture C: three tickets, below the default minimum sample of 10.
UNIT_C = {
    "received": 3,
    "acknowledged": 3,
    "acknowledged_in_time": 2,
    "resolved": 1,
    "resolved_on_time": 1,
    "rated": 1,
    "satisfied": 1,
    "resolve_minutes_median": 125.0,
    "resolved_in_grid": 1,
    "resolved_in_community": 1,
    "reopened": 0,
    "commitments_due": 0,
    "commitments_on_time": 0,
}

RESOLUTION_ONLY = EvaluationFormula(
    version=7, weights={"resolution_rate": Decimal(1)}, min_sample=5
)


# --- figures --------------------------------------------------------------------------------


def test_figures_of_fixture_a_are_the_hand_computed_rates() -> None:
    figures = UnitFigures.of(unit())
    assert figures == UnitFigures(
        response_rate=Fraction(9, 10),  # 18 / 20
        resolution_rate=Fraction(4, 5),  # 16 / 20
        on_time_rate=Fraction(3, 4),  # 12 / 16
        satisfaction_rate=Fraction(9, 10),  # 9 / 10
        median_resolve_hours=Fraction(30),  # 1800 min / 60
        in_grid_share=Fraction(1, 2),  # 8 / 16
        in_community_share=Fraction(3, 4),  # 12 / 16
        reopen_rate=Fraction(1, 8),  # 2 / 16
        commitment_on_time_rate=Fraction(3, 4),  # 3 / 4
    )


def test_a_zero_denominator_gives_none_not_zero_or_one() -> None:
    figures = UnitFigures.of(
        unit(
            received=5,
            acknowledged=0,
            acknowledged_in_time=0,
            resolved=0,
            resolved_on_time=0,
            rated=0,
            satisfied=0,
            resolve_minutes_median=None,
            resolved_in_grid=0,
            resolved_in_community=0,
            reopened=0,
            commitments_due=0,
            commitments_on_time=0,
        )
    )
    # received is 5, so these two are measured and really are 0.
    assert figures.response_rate == 0
    assert figures.resolution_rate == 0
    for name in (
        "on_time_rate",
        "satisfaction_rate",
        "median_resolve_hours",
        "in_grid_share",
        "in_community_share",
        "reopen_rate",
        "commitment_on_time_rate",
    ):
        assert figures.value(name) is None, name


def test_a_unit_that_received_nothing_has_no_rates_at_all() -> None:
    figures = UnitFigures.of(resolved_only("G1", "C1", received=0, resolved=0))
    assert figures.response_rate is None
    assert figures.resolution_rate is None


# --- scores ---------------------------------------------------------------------------------


def test_score_of_fixture_a_with_the_default_formula() -> None:
    (result,) = evaluate([unit()], DEFAULT_FORMULA)
    # weight x mark:  15 x 0.9 = 13.5    20 x 0.8 = 16      15 x 0.75 = 11.25
    #                 20 x 0.9 = 18      5 x 1 = 5 (30 h <= 72 h target)
    #                 5 x 0.5 = 2.5      5 x 0.75 = 3.75    5 x (1 - 0.125) = 4.375
    #                 10 x 0.75 = 7.5
    # sum 81.875 over weight 100 -> 81.875 -> 81.88
    assert result.score == Decimal("81.88")
    assert result.rank == 1
    assert result.formula_version == 1


def test_missing_figures_spread_their_weight_over_the_others() -> None:
    (result,) = evaluate([unit(**UNIT_B)], DEFAULT_FORMULA)
    assert result.figures.satisfaction_rate is None
    assert result.figures.commitment_on_time_rate is None
    # satisfaction (20) and commitments (10) are left out; weight left: 70.
    # 15 x 0.8 = 12    20 x 0.8 = 16    15 x 0.75 = 11.25
    # median 90 h against 72 h: 72 / 90 = 0.8, 5 x 0.8 = 4
    # 5 x 0.5 = 2.5    5 x 0.75 = 3.75  5 x (1 - 0) = 5
    # sum 54.5; 100 x 54.5 / 70 = 77.857142... -> 77.86
    # (None as 0 would give 54.50, None as 1 would give 84.50)
    assert result.score == Decimal("77.86")


def test_a_median_over_the_target_scores_target_over_median() -> None:
    formula = EvaluationFormula(
        version=2, weights={"median_resolve_hours": 1}, target_resolve_hours=Decimal(24)
    )
    # 3600 min = 60 h; 24 / 60 = 0.4 -> 40.00
    (slow,) = evaluate([unit(resolve_minutes_median=3600.0)], formula)
    assert slow.score == Decimal("40.00")
    # 0 min: resolved at once, full marks rather than a division by zero.
    (instant,) = evaluate([unit(resolve_minutes_median=0.0)], formula)
    assert instant.score == Decimal("100.00")


def test_reopen_rate_counts_inversely() -> None:
    formula = EvaluationFormula(version=2, weights={"reopen_rate": 1}, min_sample=0)
    # reopened 4 of 16 resolved: 1 - 0.25 = 0.75 -> 75.00
    (result,) = evaluate([unit(reopened=4)], formula)
    assert result.score == Decimal("75.00")


def test_scores_round_exactly_half_to_even() -> None:
    formula = EvaluationFormula(version=2, weights={"satisfaction_rate": 1}, min_sample=0)
    big = {"received": 20000, "acknowledged": 0, "acknowledged_in_time": 0, "rated": 20000}
    # 1 / 800 = 0.00125 -> 0.125: half to even gives 0.12 (half up would give 0.13)
    (half_even,) = evaluate([unit(**big, satisfied=25)], formula)
    assert half_even.score == Decimal("0.12")
    # 203 / 20000 = 0.01015 -> 1.015: exactly half, even neighbour 1.02; a float computation
    # sees 1.01499999... and gives 1.01
    (exact,) = evaluate([unit(**big, satisfied=203)], formula)
    assert exact.score == Decimal("1.02")


def test_no_weighted_figure_means_no_score_and_no_rank() -> None:
    formula = EvaluationFormula(version=2, weights={"satisfaction_rate": 1}, min_sample=1)
    (result,) = evaluate([unit(rated=0, satisfied=0)], formula)
    assert result.score is None
    assert result.rank is None
    assert result.unranked_reason == NO_SCORED_FIGURE


def test_only_the_ratio_of_weights_matters() -> None:
    fractions = {"response_rate": 0.15, "resolution_rate": 0.2, "on_time_rate": 0.15}
    percents = {"response_rate": 15, "resolution_rate": 20, "on_time_rate": 15}
    # (15 x 0.9 + 20 x 0.8 + 15 x 0.75) / 50 = (13.5 + 16 + 11.25) / 50 = 0.815 -> 81.50
    for weights in (fractions, percents):
        formula = EvaluationFormula.from_dict({"version": 3, "weights": weights})
        (result,) = evaluate([unit()], formula)
        assert result.score == Decimal("81.50")


# --- ranking --------------------------------------------------------------------------------


def test_below_minimum_sample_is_scored_but_not_ranked() -> None:
    # min_sample 5: 4 received is below it, exactly 5 is enough.
    results = evaluate(
        [
            resolved_only("G1", "C1", received=4, resolved=4),
            resolved_only("G2", "C1", received=5, resolved=1),
        ],
        RESOLUTION_ONLY,
    )
    assert [(u.unit_id, u.score, u.rank, u.unranked_reason) for u in results] == [
        ("G2", Decimal("20.00"), 1, None),  # 1 / 5
        ("G1", Decimal("100.00"), None, BELOW_MINIMUM_SAMPLE),  # 4 / 4, listed after
    ]


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    results = evaluate(
        # given out of order, to show the output order does not depend on the input's
        [
            resolved_only("G4", "C1", received=10, resolved=5),  # 50.00
            resolved_only("G2", "C1", received=10, resolved=8),  # 80.00
            resolved_only("G5", "C1", received=2, resolved=2),  # 100.00, below sample
            resolved_only("G1", "C1", received=20, resolved=16),  # 80.00
            resolved_only("G3", "C1", received=10, resolved=9),  # 90.00
        ],
        RESOLUTION_ONLY,
    )
    assert [(u.unit_id, u.rank) for u in results] == [
        ("G3", 1),
        ("G1", 2),
        ("G2", 2),
        ("G4", 4),
        ("G5", None),
    ]


def test_units_with_the_same_published_score_share_a_rank() -> None:
    results = evaluate(
        [
            resolved_only("G1", "C1", received=10000, resolved=6667),  # 66.67 exactly
            resolved_only("G2", "C1", received=6, resolved=4),  # 66.666... -> 66.67
        ],
        RESOLUTION_ONLY,
    )
    assert [(u.unit_id, u.score, u.rank) for u in results] == [
        ("G1", Decimal("66.67"), 1),
        ("G2", Decimal("66.67"), 1),
    ]


def test_units_are_ranked_only_against_their_siblings() -> None:
    results = evaluate(
        [
            resolved_only("G21", "C2", received=10, resolved=2),  # 20.00
            resolved_only("G11", "C1", received=10, resolved=9),  # 90.00
            _community("C2"),
            resolved_only("G12", "C1", received=10, resolved=7),  # 70.00
            resolved_only("G22", "C2", received=10, resolved=1),  # 10.00
            _community("C1"),
        ],
        RESOLUTION_ONLY,
    )
    # Communities first (higher level), then C1's grids, then C2's. C2's best grid is rank 1
    # in C2 although C1's worst grid scores more; the communities rank among themselves:
    # C1 16 / 20 = 80.00, C2 3 / 20 = 15.00 (their own rolled-up counts).
    assert [(u.unit_id, u.parent_id, u.rank) for u in results] == [
        ("C1", "S1", 1),
        ("C2", "S1", 2),
        ("G11", "C1", 1),
        ("G12", "C1", 2),
        ("G21", "C2", 1),
        ("G22", "C2", 2),
    ]


def _community(unit_id: str) -> UnitCounts:
    resolved = {"C1": 16, "C2": 3}[unit_id]
    counts = resolved_only(unit_id, "S1", received=20, resolved=resolved)
    return UnitCounts(**{**_fields(counts), "level": COMMUNITY})


def _fields(counts: UnitCounts) -> dict[str, Any]:
    return {name: getattr(counts, name) for name in counts.__dataclass_fields__}


def test_the_same_parent_at_another_level_is_another_sibling_group() -> None:
    results = evaluate(
        [
            UnitCounts(**{**_fields(resolved_only("X1", "P", 10, 1)), "level": STREET}),
            resolved_only("X2", "P", received=10, resolved=2),
        ],
        RESOLUTION_ONLY,
    )
    assert [(u.unit_id, u.rank) for u in results] == [("X1", 1), ("X2", 1)]


def test_a_unit_given_twice_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        evaluate([unit("G1"), unit("G1")], DEFAULT_FORMULA)
    assert raised.value.field == "unit_id"


# --- counts validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received": -1}, "received"),
        ({"rated": True}, "rated"),
        ({"reopened": 1.0}, "reopened"),
        ({"acknowledged": 21}, "acknowledged"),
        ({"acknowledged_in_time": 20}, "acknowledged_in_time"),  # > acknowledged 19
        ({"resolved": 21}, "resolved"),
        ({"resolved_on_time": 17}, "resolved_on_time"),
        ({"rated": 21}, "rated"),
        ({"satisfied": 11}, "satisfied"),
        ({"resolved_in_community": 17}, "resolved_in_community"),
        ({"resolved_in_grid": 13}, "resolved_in_grid"),  # > resolved_in_community 12
        ({"reopened": 17}, "reopened"),
        ({"commitments_on_time": 5}, "commitments_on_time"),
        ({"resolve_minutes_median": None}, "resolve_minutes_median"),  # resolved is 16
        ({"resolve_minutes_median": -1.0}, "resolve_minutes_median"),
        ({"resolve_minutes_median": float("nan")}, "resolve_minutes_median"),
        ({"resolve_minutes_median": "90"}, "resolve_minutes_median"),
        ({"level": "household"}, "level"),
        ({"unit_id": ""}, "unit_id"),
        ({"parent_id": ""}, "parent_id"),
        ({"parent_id": "G1"}, "parent_id"),
    ],
)
def test_inconsistent_counts_are_refused_naming_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        unit(**overrides)
    assert raised.value.field == field


def test_a_median_without_resolved_tickets_is_refused() -> None:
    nothing_resolved = _fields(resolved_only("G1", "C1", received=3, resolved=0))
    with pytest.raises(InvalidInput) as raised:
        UnitCounts(**{**nothing_resolved, "resolve_minutes_median": 10.0})
    assert raised.value.field == "resolve_minutes_median"


def test_a_level_given_as_text_becomes_the_enum() -> None:
    assert unit(level="community").level is UnitLevel.COMMUNITY


# --- formula --------------------------------------------------------------------------------


def test_the_default_formula_is_version_1_and_weighs_every_figure() -> None:
    assert DEFAULT_FORMULA.version == 1
    assert all(weight > 0 for weight in DEFAULT_FORMULA.weights.values())
    assert DEFAULT_FORMULA.target_resolve_hours == Decimal(72)
    assert DEFAULT_FORMULA.min_sample == 10


def test_from_dict_fills_left_out_weights_with_zero_and_keeps_decimals_exact() -> None:
    formula = EvaluationFormula.from_dict(
        {
            "version": 4,
            "weights": {"satisfaction_rate": 0.1, "reopen_rate": 3},
            "target_resolve_hours": 48,
            "min_sample": 0,
        }
    )
    assert formula.weights["satisfaction_rate"] == Decimal("0.1")
    assert formula.weights["reopen_rate"] == Decimal(3)
    assert formula.weights["response_rate"] == 0
    assert formula.target_resolve_hours == Decimal(48)
    assert formula.min_sample == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weights": {"response_rate": 1}}, "version"),
        ({"version": 1}, "weights"),
        ({"version": 0, "weights": {"response_rate": 1}}, "version"),
        ({"version": True, "weights": {"response_rate": 1}}, "version"),
        ({"version": "1", "weights": {"response_rate": 1}}, "version"),
        ({"version": 1, "weights": [1, 2]}, "weights"),
        ({"version": 1, "weights": {}}, "weights"),
        ({"version": 1, "weights": {"response_rate": 0}}, "weights"),
        ({"version": 1, "weights": {"speed": 1}}, "weights.speed"),
        ({"version": 1, "weights": {"satisfaction_rate": -1}}, "weights.satisfaction_rate"),
        ({"version": 1, "weights": {"satisfaction_rate": "2"}}, "weights.satisfaction_rate"),
        ({"version": 1, "weights": {"satisfaction_rate": None}}, "weights.satisfaction_rate"),
        (
            {"version": 1, "weights": {"satisfaction_rate": float("inf")}},
            "weights.satisfaction_rate",
        ),
        ({"version": 1, "weights": {"reopen_rate": 10**7}}, "weights.reopen_rate"),
        ({"version": 1, "weights": {"reopen_rate": Decimal("1e-9")}}, "weights.reopen_rate"),
        (
            {"version": 1, "weights": {"reopen_rate": 1}, "target_resolve_hours": 0},
            "target_resolve_hours",
        ),
        ({"version": 1, "weights": {"reopen_rate": 1}, "min_sample": -1}, "min_sample"),
        ({"version": 1, "weights": {"reopen_rate": 1}, "min_sample": 2.5}, "min_sample"),
        ({"version": 1, "weights": {"reopen_rate": 1}, "min_samples": 5}, "min_samples"),
    ],
)
def test_invalid_formulas_are_refused_naming_the_field(data: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        EvaluationFormula.from_dict(data)
    assert raised.value.field == field


def test_a_formula_cannot_be_changed_through_its_weights() -> None:
    with pytest.raises(TypeError):
        DEFAULT_FORMULA.weights["response_rate"] = Decimal(0)  # type: ignore[index]


# --- CSV ------------------------------------------------------------------------------------

HEADER = (
    "month,unit_id,parent_id,level,rank,score,received,response_rate,resolution_rate,"
    "on_time_rate,satisfaction_rate,median_resolve_hours,in_grid_share,in_community_share,"
    "reopen_rate,commitment_on_time_rate,unranked_reason,formula_version\r\n"
)


def test_csv_of_a_small_month_is_exactly_this_text() -> None:
    results = evaluate([unit("G3", **UNIT_C), unit("G2", **UNIT_B), unit("G1")], DEFAULT_FORMULA)
    # G3: response 2/3 = 0.6667, resolution 1/3 = 0.3333, median 125/60 = 2.0833 h -> 2.08;
    #     score: weights present 90 (no commitments); 15 x 2/3 + 20 x 1/3 + 15 + 20 + 5 + 5
    #     + 5 + 5 = 10 + 6.6667 + 55 = 71.6667 = 215/3; 100 x (215/3) / 90 = 79.6296 -> 79.63
    assert to_csv(results, "2024-05") == (
        HEADER + "2024-05,G1,C1,grid,1,81.88,20,0.9000,0.8000,0.7500,0.9000,30.00,0.5000,0.7500,"
        "0.1250,0.7500,,1\r\n"
        "2024-05,G2,C1,grid,2,77.86,10,0.8000,0.8000,0.7500,,90.00,0.5000,0.7500,"
        "0.0000,,,1\r\n"
        "2024-05,G3,C1,grid,,79.63,3,0.6667,0.3333,1.0000,1.0000,2.08,1.0000,1.0000,"
        "0.0000,,below minimum sample,1\r\n"
    )


def test_csv_adds_a_name_column_and_defuses_spreadsheet_formulas() -> None:
    results = evaluate([unit("G1"), unit("G2", **UNIT_B), unit("G9", **UNIT_C)], DEFAULT_FORMULA)
    text = to_csv(results, "2024-12", names={"G1": "燕山第1网格", "G2": "=HYPERLINK(1)"})
    lines = text.split("\r\n")
    assert lines[0].startswith("month,unit_id,name,parent_id,level,")
    assert lines[1].startswith("2024-12,G1,燕山第1网格,C1,grid,1,81.88,")
    assert lines[2].startswith("2024-12,G2,'=HYPERLINK(1),C1,grid,2,")
    assert lines[3].startswith("2024-12,G9,,C1,grid,,")  # no name given: empty cell
    assert lines[4] == ""


def test_csv_of_no_units_is_the_header_alone() -> None:
    assert to_csv([], "2024-01") == HEADER


@pytest.mark.parametrize("month", ["2024-13", "2024-00", "2024-5", "24-05", "2024-05-01", ""])
def test_csv_refuses_a_malformed_month(month: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        to_csv([], month)
    assert raised.value.field == "month"
