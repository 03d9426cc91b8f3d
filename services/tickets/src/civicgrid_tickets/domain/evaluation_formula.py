"""The formula that turns a unit's figures into a score: weights, a target and a minimum sample.

Each district (tenant) keeps its own formulas, numbered by version, so a published ranking can
always say which rules produced it and an old month can be recomputed exactly as it was.

How a score is made from a formula is in evaluation_scoring; this module only says what a valid
formula is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.evaluation_figures import FIGURE_NAMES

DEFAULT_TARGET_RESOLVE_HOURS = Decimal(72)
DEFAULT_MIN_SAMPLE = 10
# Bounds that no sensible formula reaches; they keep a typo (or a hostile request) from turning
# exact arithmetic into numbers with a million digits.
MAX_WEIGHT = Decimal(1_000_000)
MAX_TARGET_RESOLVE_HOURS = Decimal(24 * 366)
MAX_DECIMAL_PLACES = 6

_KEYS = ("version", "weights", "target_resolve_hours", "min_sample")
_REQUIRED = ("version", "weights")


@dataclass(frozen=True)
class EvaluationFormula:
    """version: numbered per tenant, from 1.
    weights: figure name -> non-negative weight; a figure left out weighs 0, at least one > 0.
    Only the ratios between weights matter (15/20/... scores the same as 0.15/0.20/...).
    target_resolve_hours: a median resolution time at or under this scores full marks.
    min_sample: a unit that received fewer tickets than this is scored but not ranked.
    """

    version: int
    weights: Mapping[str, Decimal]
    target_resolve_hours: Decimal = DEFAULT_TARGET_RESOLVE_HOURS
    min_sample: int = DEFAULT_MIN_SAMPLE

    def __post_init__(self) -> None:
        if type(self.version) is not int or self.version < 1:
            raise InvalidInput("version must be an integer >= 1", field="version")
        if type(self.min_sample) is not int or self.min_sample < 0:
            raise InvalidInput("min_sample must be an integer >= 0", field="min_sample")
        target = _number(self.target_resolve_hours, "target_resolve_hours")
        if not 0 < target <= MAX_TARGET_RESOLVE_HOURS:
            raise InvalidInput(
                f"target_resolve_hours must be > 0 and <= {MAX_TARGET_RESOLVE_HOURS}",
                field="target_resolve_hours",
            )
        object.__setattr__(self, "target_resolve_hours", target)
        object.__setattr__(self, "weights", _checked_weights(self.weights))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvaluationFormula:
        """A formula from its stored or submitted JSON form:
        {"version": 2, "weights": {"satisfaction_rate": 30, ...},
         "target_resolve_hours": 48, "min_sample": 10}
        version and weights are required; the other two default to the module's defaults.
        Unknown keys are refused so that a misspelt "min_samples" is not silently ignored."""
        if not isinstance(data, Mapping):
            raise InvalidInput("a formula must be an object", field=None)
        for key in data:
            if key not in _KEYS:
                raise InvalidInput(f"unknown field; expected one of {', '.join(_KEYS)}", field=key)
        for key in _REQUIRED:
            if key not in data:
                raise InvalidInput(f"{key} is required", field=key)
        return cls(
            version=data["version"],
            weights=data["weights"],
            target_resolve_hours=data.get("target_resolve_hours", DEFAULT_TARGET_RESOLVE_HOURS),
            min_sample=data.get("min_sample", DEFAULT_MIN_SAMPLE),
        )


def _checked_weights(weights: object) -> Mapping[str, Decimal]:
    if not isinstance(weights, Mapping):
        raise InvalidInput("weights must be an object of figure name -> number", field="weights")
    checked = dict.fromkeys(FIGURE_NAMES, Decimal(0))
    for name, raw in weights.items():
        field = f"weights.{name}"
        if name not in checked:
            raise InvalidInput(
                f"unknown figure; expected one of {', '.join(FIGURE_NAMES)}", field=field
            )
        weight = _number(raw, field)
        if not 0 <= weight <= MAX_WEIGHT:
            raise InvalidInput(f"a weight must be >= 0 and <= {MAX_WEIGHT}", field=field)
        checked[name] = weight
    if not any(checked.values()):
        raise InvalidInput("at least one weight must be greater than 0", field="weights")
    # Read-only, so a formula shared as DEFAULT_FORMULA cannot be changed by one caller.
    return MappingProxyType(checked)


def _number(value: object, field: str) -> Decimal:
    """value as an exact Decimal; floats go through their shortest form, so 0.1 means 0.1."""
    if isinstance(value, bool):
        raise InvalidInput("must be a number", field=field)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    else:
        raise InvalidInput("must be a finite number", field=field)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise InvalidInput(f"at most {MAX_DECIMAL_PLACES} decimal places", field=field)
    return number


# Version 1 of every district's formula until it publishes its own; the body is in the shape it
# would publish. Out of 100 for readability. Outcomes residents feel (resolved at all, satisfied)
# weigh most; speed and the "small matters stay in the grid" shares refine the picture.
DEFAULT_FORMULA_BODY: Final[dict[str, Any]] = {
    "weights": {
        "response_rate": 15,
        "resolution_rate": 20,
        "on_time_rate": 15,
        "satisfaction_rate": 20,
        "median_resolve_hours": 5,
        "in_grid_share": 5,
        "in_community_share": 5,
        "reopen_rate": 5,
        "commitment_on_time_rate": 10,
    },
    "target_resolve_hours": int(DEFAULT_TARGET_RESOLVE_HOURS),
    "min_sample": DEFAULT_MIN_SAMPLE,
}
DEFAULT_FORMULA = EvaluationFormula.from_dict({"version": 1, **DEFAULT_FORMULA_BODY})
