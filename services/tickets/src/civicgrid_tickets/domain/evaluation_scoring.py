"""How a unit's figures and a formula make one score from 0 to 100.

1. Each figure becomes a mark from 0 to 1:
   - a rate or share counts as itself (0.9 -> 0.9);
   - reopen_rate counts inversely, 1 - rate, because fewer reopened tickets is better;
   - median_resolve_hours against the formula's target: min(1, target / median), so a median
     at or under the target earns 1 and twice the target earns 0.5; a median of 0 earns 1.
2. score = 100 * sum(weight * mark) / sum(weight), both sums over the figures that have a
   positive weight and exist. A figure that is None (zero denominator: no ratings, no
   commitments due...) is left out of both sums, so its weight is spread over the others in
   proportion to their weights, and the unit is judged on what could be measured.
   If no weighted figure exists at all, the score is None.
3. The sum is exact (fractions, no floats) and rounded once, to 2 decimals, half to even:
   81.875 -> 81.88, 0.125 -> 0.12. Ranks compare these rounded scores, so two units published
   with the same score always share a rank.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from civicgrid_tickets.domain.evaluation_figures import FIGURE_NAMES, UnitFigures
from civicgrid_tickets.domain.evaluation_formula import EvaluationFormula

SCORE_DECIMALS = 2
_INVERSE = frozenset({"reopen_rate"})
_AGAINST_TARGET = frozenset({"median_resolve_hours"})


def score(figures: UnitFigures, formula: EvaluationFormula) -> Decimal | None:
    """The unit's score, 0.00 to 100.00, or None when none of the weighted figures exists."""
    weight_sum = Fraction(0)
    weighted_marks = Fraction(0)
    for name in FIGURE_NAMES:
        weight = formula.weights[name]
        mark = _mark(name, figures.value(name), formula)
        if weight == 0 or mark is None:
            continue
        weight_sum += Fraction(weight)
        weighted_marks += Fraction(weight) * mark
    if weight_sum == 0:
        return None
    return round_half_even(100 * weighted_marks / weight_sum, SCORE_DECIMALS)


def round_half_even(value: Fraction, places: int) -> Decimal:
    """value rounded exactly to places decimals, half to even (Fraction's own round rule)."""
    return Decimal(round(value * 10**places)).scaleb(-places)


def _mark(name: str, value: Fraction | None, formula: EvaluationFormula) -> Fraction | None:
    if value is None:
        return None
    if name in _INVERSE:
        return 1 - value
    if name in _AGAINST_TARGET:
        if value == 0:
            return Fraction(1)
        return min(Fraction(1), Fraction(formula.target_resolve_hours) / value)
    return value
