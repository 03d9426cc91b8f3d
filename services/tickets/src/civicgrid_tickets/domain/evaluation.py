"""Monthly evaluation of units and ranking among siblings: the one import for callers.

Every month each unit of a district (district, street, community, grid) is evaluated from
counts the SQL aggregation hands over, already rolled up the tree; this package turns them into
rates, a score and a rank. Pure: no database, no I/O. The pieces, each in its own module:

    evaluation_counts    UnitCounts: the input, checked for consistency
    evaluation_figures   UnitFigures: the rates (None where the denominator is zero)
    evaluation_formula   EvaluationFormula: weights, target, minimum sample; DEFAULT_FORMULA
    evaluation_scoring   the score rules (read its docstring before changing a weight)
    evaluation_ranking   evaluate(): figures, score and sibling rank of every unit
    evaluation_csv       to_csv(): the published table
"""

from __future__ import annotations

from civicgrid_tickets.domain.evaluation_counts import UnitCounts, UnitLevel
from civicgrid_tickets.domain.evaluation_csv import to_csv
from civicgrid_tickets.domain.evaluation_figures import FIGURE_NAMES, UnitFigures
from civicgrid_tickets.domain.evaluation_formula import DEFAULT_FORMULA, EvaluationFormula
from civicgrid_tickets.domain.evaluation_ranking import (
    BELOW_MINIMUM_SAMPLE,
    NO_SCORED_FIGURE,
    UnitEvaluation,
    evaluate,
)
from civicgrid_tickets.domain.evaluation_scoring import score

__all__ = [
    "BELOW_MINIMUM_SAMPLE",
    "DEFAULT_FORMULA",
    "FIGURE_NAMES",
    "NO_SCORED_FIGURE",
    "EvaluationFormula",
    "UnitCounts",
    "UnitEvaluation",
    "UnitFigures",
    "UnitLevel",
    "evaluate",
    "score",
    "to_csv",
]
