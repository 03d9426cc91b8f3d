"""The rates published for a unit, computed from its counts.

Rates are exact fractions: counts are integers, so nothing needs rounding until a score or a
CSV cell is shown, and two units with the same counts always get the same figures. A rate whose
denominator is zero is None, meaning "nothing to measure", which is neither 0 % nor 100 %: a
grid that received no ratings has not satisfied nobody, nor everybody.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction

from civicgrid_tickets.domain.evaluation_counts import UnitCounts

MINUTES_PER_HOUR = 60


@dataclass(frozen=True, slots=True)
class UnitFigures:
    response_rate: Fraction | None  # acknowledged_in_time / received
    resolution_rate: Fraction | None  # resolved / received
    on_time_rate: Fraction | None  # resolved_on_time / resolved
    satisfaction_rate: Fraction | None  # satisfied / rated
    median_resolve_hours: Fraction | None  # resolve_minutes_median / 60
    in_grid_share: Fraction | None  # resolved_in_grid / resolved
    in_community_share: Fraction | None  # resolved_in_community / resolved
    reopen_rate: Fraction | None  # reopened / resolved (lower is better)
    commitment_on_time_rate: Fraction | None  # commitments_on_time / commitments_due

    @classmethod
    def of(cls, counts: UnitCounts) -> UnitFigures:
        median = counts.resolve_minutes_median
        return cls(
            response_rate=_ratio(counts.acknowledged_in_time, counts.received),
            resolution_rate=_ratio(counts.resolved, counts.received),
            on_time_rate=_ratio(counts.resolved_on_time, counts.resolved),
            satisfaction_rate=_ratio(counts.satisfied, counts.rated),
            # Through str: the float's shortest decimal form (90.5, not its binary expansion),
            # which is the number the query meant and the number a reader checks by hand.
            median_resolve_hours=(
                None if median is None else Fraction(str(median)) / MINUTES_PER_HOUR
            ),
            in_grid_share=_ratio(counts.resolved_in_grid, counts.resolved),
            in_community_share=_ratio(counts.resolved_in_community, counts.resolved),
            reopen_rate=_ratio(counts.reopened, counts.resolved),
            commitment_on_time_rate=_ratio(counts.commitments_on_time, counts.commitments_due),
        )

    def value(self, name: str) -> Fraction | None:
        """The figure called name (one of FIGURE_NAMES)."""
        result: Fraction | None = getattr(self, name)
        return result


# The figure names, in the published column order; formulas weigh figures by these names.
FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(UnitFigures))


def _ratio(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(part, whole)
