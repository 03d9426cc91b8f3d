"""The monthly counts of one unit, as the SQL aggregation hands them to the evaluation.

All counts describe one cohort: the tickets received in the unit (and, rolled up, in the units
below it) during the evaluated month, with their outcome as of the evaluation run. That is what
makes "resolved / received" a rate. Commitments are their own cohort: the commitments whose
deadline fell in the month.

The counts are checked against each other on construction, because a figure computed from
inconsistent counts (say more tickets acknowledged in time than acknowledged at all) would be
published as a rate above 100 % instead of surfacing the bug in the query that produced it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from civicgrid_platform.errors import InvalidInput


class UnitLevel(StrEnum):
    """The tiers that are evaluated, top down; the order is the order of the published tables."""

    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


COUNT_FIELDS = (
    "received",
    "acknowledged",
    "acknowledged_in_time",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "resolved_in_grid",
    "resolved_in_community",
    "reopened",
    "commitments_due",
    "commitments_on_time",
)

# (part, whole): each count is a subset of the other one.
# rated is bounded by received rather than resolved: a resident may rate a report that was
# closed without being resolved (declined, out of scope), and those ratings count too.
# reopened is, by contract with the query, "resolved tickets that were reopened at least once
# before their final resolution", so it is a part of resolved and reopen_rate stays in 0..1.
# resolved_in_grid is a part of resolved_in_community: never above grid implies never above
# community.
SUBSETS = (
    ("acknowledged", "received"),
    ("acknowledged_in_time", "acknowledged"),
    ("resolved", "received"),
    ("resolved_on_time", "resolved"),
    ("rated", "received"),
    ("satisfied", "rated"),
    ("resolved_in_community", "resolved"),
    ("resolved_in_grid", "resolved_in_community"),
    ("reopened", "resolved"),
    ("commitments_on_time", "commitments_due"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitCounts:
    """One unit's counts for the month, already rolled up over the units below it."""

    unit_id: str
    parent_id: str | None
    level: UnitLevel
    received: int
    acknowledged: int
    acknowledged_in_time: int
    resolved: int
    resolved_on_time: int
    rated: int
    satisfied: int  # rated 4 or 5
    resolve_minutes_median: float | None
    resolved_in_grid: int  # never escalated above grid level
    resolved_in_community: int  # never escalated above community level
    reopened: int
    commitments_due: int
    commitments_on_time: int

    def __post_init__(self) -> None:
        _check_ids(self.unit_id, self.parent_id)
        try:
            # Rows from SQL carry the level as text; the enum is what the rest of the code sees.
            object.__setattr__(self, "level", UnitLevel(self.level))
        except ValueError:
            levels = ", ".join(level.value for level in UnitLevel)
            raise InvalidInput(
                f"unit {self.unit_id}: level must be one of {levels}", field="level"
            ) from None
        for name in COUNT_FIELDS:
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise InvalidInput(
                    f"unit {self.unit_id}: {name} must be a non-negative integer", field=name
                )
        for part, whole in SUBSETS:
            if getattr(self, part) > getattr(self, whole):
                raise InvalidInput(
                    f"unit {self.unit_id}: {part} ({getattr(self, part)}) exceeds "
                    f"{whole} ({getattr(self, whole)})",
                    field=part,
                )
        _check_median(self.unit_id, self.resolve_minutes_median, self.resolved)


def _check_ids(unit_id: object, parent_id: object) -> None:
    if type(unit_id) is not str or not unit_id:
        raise InvalidInput("unit_id must be a non-empty string", field="unit_id")
    if parent_id is not None and (type(parent_id) is not str or not parent_id):
        raise InvalidInput(
            f"unit {unit_id}: parent_id must be a non-empty string or absent", field="parent_id"
        )
    if parent_id == unit_id:
        raise InvalidInput(f"unit {unit_id} cannot be its own parent", field="parent_id")


def _check_median(unit_id: str, minutes: object, resolved: int) -> None:
    # A median over no resolved tickets does not exist (SQL gives NULL), and over some it does.
    field = "resolve_minutes_median"
    if minutes is None:
        if resolved > 0:
            raise InvalidInput(f"unit {unit_id}: {field} is missing but resolved > 0", field=field)
        return
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise InvalidInput(f"unit {unit_id}: {field} must be a number", field=field)
    if not math.isfinite(minutes) or minutes < 0:
        raise InvalidInput(f"unit {unit_id}: {field} must be finite and >= 0", field=field)
    if resolved == 0:
        raise InvalidInput(f"unit {unit_id}: {field} is set but nothing was resolved", field=field)
