"""Evaluate every unit of a month and rank siblings against each other.

Siblings are units with the same parent and level: the grids of one community are ranked among
themselves, never against another community's grids, because they share the same officials and
the same community-level support. Ranking is competition ranking on the published (rounded)
score, highest first: 1, 2, 2, 4. Tied units keep their shared rank and are listed by unit_id so
the output is the same on every run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.evaluation_counts import UnitCounts, UnitLevel
from civicgrid_tickets.domain.evaluation_figures import UnitFigures
from civicgrid_tickets.domain.evaluation_formula import EvaluationFormula
from civicgrid_tickets.domain.evaluation_scoring import score

BELOW_MINIMUM_SAMPLE = "below minimum sample"
NO_SCORED_FIGURE = "no scored figure"

_LEVEL_ORDER = {level: index for index, level in enumerate(UnitLevel)}


@dataclass(frozen=True, slots=True)
class UnitEvaluation:
    unit_id: str
    parent_id: str | None
    level: UnitLevel
    received: int
    figures: UnitFigures
    score: Decimal | None  # 0.00..100.00, see evaluation_scoring
    rank: int | None  # among siblings; None when unranked
    unranked_reason: str | None  # BELOW_MINIMUM_SAMPLE or NO_SCORED_FIGURE when rank is None
    formula_version: int


def evaluate(counts: Sequence[UnitCounts], formula: EvaluationFormula) -> list[UnitEvaluation]:
    """Figures, score and sibling rank of every unit.

    A unit is left unranked (rank None, with the reason) when it received fewer tickets than
    formula.min_sample, since a handful of tickets says more about luck than about the unit, or
    when it has no score. Unranked units still get their figures and, if possible, a score.

    Output order: by level top down, then by parent_id, then, within a sibling group, the ranked
    units by rank and unit_id, then the unranked ones by unit_id.
    """
    seen: set[str] = set()
    groups: defaultdict[tuple[UnitLevel, str | None], list[UnitEvaluation]] = defaultdict(list)
    for unit in counts:
        if unit.unit_id in seen:
            raise InvalidInput(f"unit {unit.unit_id} appears more than once", field="unit_id")
        seen.add(unit.unit_id)
        groups[(unit.level, unit.parent_id)].append(_before_ranking(unit, formula))

    result: list[UnitEvaluation] = []
    for key in sorted(groups, key=_group_order):
        result.extend(_ranked_siblings(groups[key], formula.min_sample))
    return result


def _before_ranking(unit: UnitCounts, formula: EvaluationFormula) -> UnitEvaluation:
    figures = UnitFigures.of(unit)
    return UnitEvaluation(
        unit_id=unit.unit_id,
        parent_id=unit.parent_id,
        level=unit.level,
        received=unit.received,
        figures=figures,
        score=score(figures, formula),
        rank=None,
        unranked_reason=None,
        formula_version=formula.version,
    )


def _ranked_siblings(siblings: list[UnitEvaluation], min_sample: int) -> list[UnitEvaluation]:
    rankable: list[tuple[Decimal, UnitEvaluation]] = []
    unranked: list[UnitEvaluation] = []
    for unit in siblings:
        if unit.received < min_sample:
            unranked.append(replace(unit, unranked_reason=BELOW_MINIMUM_SAMPLE))
        elif unit.score is None:
            unranked.append(replace(unit, unranked_reason=NO_SCORED_FIGURE))
        else:
            rankable.append((unit.score, unit))
    rankable.sort(key=lambda scored: (-scored[0], scored[1].unit_id))

    ranked: list[UnitEvaluation] = []
    rank = 0
    previous: Decimal | None = None
    for position, (unit_score, unit) in enumerate(rankable, start=1):
        if unit_score != previous:
            rank = position
            previous = unit_score
        ranked.append(replace(unit, rank=rank))
    unranked.sort(key=lambda unit: unit.unit_id)
    return ranked + unranked


def _group_order(key: tuple[UnitLevel, str | None]) -> tuple[int, bool, str]:
    level, parent_id = key
    return (_LEVEL_ORDER[level], parent_id is not None, parent_id or "")
