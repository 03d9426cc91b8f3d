"""SLA policies: how soon a ticket of a category and priority must be acknowledged and resolved.

A policy is immutable and versioned; a ticket keeps the version it started with, so changing
the rules never moves the deadlines of tickets already running. The clocks that count against
a target live in sla_clock and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.sla_clock import ClockKind, ClockState, SlaClock

__all__ = [
    "ANY",
    "MAX_BUDGET_MINUTES",
    "ClockKind",
    "ClockState",
    "Priority",
    "SlaClock",
    "SlaPolicy",
    "SlaTarget",
    "TargetKey",
]

ANY = "*"
_ZERO = timedelta(0)
# A year of minutes: no real budget is longer, and a typo's 10**20 would overflow timedelta.
MAX_BUDGET_MINUTES = 366 * 24 * 60


class Priority(StrEnum):
    P0 = "P0"  # an emergency, such as an elderly resident's alarm; its clock runs 24/7
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


@dataclass(frozen=True, slots=True)
class SlaTarget:
    acknowledge_within: timedelta
    resolve_within: timedelta
    warn_at_share: float = 0.8  # share of the budget after which the ticket shows a warning
    working_time: bool = True  # False: wall-clock time, every hour counts

    def __post_init__(self) -> None:
        if self.acknowledge_within <= _ZERO:
            raise InvalidInput("must be positive", field="acknowledge_within")
        if self.resolve_within < self.acknowledge_within:
            raise InvalidInput(
                "must not be shorter than acknowledge_within", field="resolve_within"
            )
        share = self.warn_at_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise InvalidInput("must be a number between 0 and 1, exclusive", field="warn_at_share")


# (category, priority); either may be ANY, but a named category needs a named priority, so
# the fallback order (exact, then any category, then anything) has no ties.
TargetKey = tuple[str, str]
_PRIORITIES = frozenset(Priority)


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    version: int
    targets: Mapping[TargetKey, SlaTarget] = field(hash=False)

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise InvalidInput("must be a positive whole number", field="version")
        for category, priority in self.targets:
            if not category or (priority not in _PRIORITIES and priority != ANY):
                raise InvalidInput(f"unknown target key {(category, priority)!r}", field="targets")
            if category != ANY and priority == ANY:
                raise InvalidInput(
                    f"the target for category {category!r} must name a priority", field="targets"
                )
        uncovered = [p for p in Priority if (ANY, p) not in self.targets]
        if uncovered and (ANY, ANY) not in self.targets:
            raise InvalidInput(
                f"no fallback target for priorities {', '.join(uncovered)}: add one for "
                'category "*" and each of them, or for "*" and "*"',
                field="targets",
            )
        # A private copy behind a read-only view: the caller's dict cannot change the policy.
        object.__setattr__(self, "targets", MappingProxyType(dict(self.targets)))

    def target_for(self, category: str, priority: Priority) -> SlaTarget:
        for key in ((category, priority), (ANY, priority), (ANY, ANY)):
            target = self.targets.get(key)
            if target is not None:
                return target
        raise AssertionError("unreachable: __post_init__ ensures a fallback")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SlaPolicy:
        """{"version": 3, "targets": [{"category": "roads", "priority": "P1",
        "acknowledge_within_minutes": 60, "resolve_within_minutes": 960, "warn_at_share": 0.8,
        "working_time": true}, ...]}; the last two are optional (0.8, true). Budgets are minutes
        of working time (or wall time if working_time is false), never "days", whose length
        depends on the calendar. InvalidInput names the field at fault."""
        if not isinstance(data, Mapping):
            raise InvalidInput("a policy must be an object")
        _refuse_unknown(data, {"version", "targets"}, "")
        raw_targets = data.get("targets")
        if not isinstance(raw_targets, list) or not raw_targets:
            raise InvalidInput("a non-empty list of targets is required", field="targets")
        targets: dict[TargetKey, SlaTarget] = {}
        for index, raw in enumerate(raw_targets):
            key, target = _parse_target(raw, f"targets.{index}")
            if key in targets:
                raise InvalidInput(f"a second target for {key!r}", field=f"targets.{index}")
            targets[key] = target
        return cls(version=data.get("version"), targets=targets)  # type: ignore[arg-type]


_TARGET_FIELDS = {
    "category",
    "priority",
    "acknowledge_within_minutes",
    "resolve_within_minutes",
    "warn_at_share",
    "working_time",
}


def _parse_target(raw: object, where: str) -> tuple[TargetKey, SlaTarget]:
    if not isinstance(raw, Mapping):
        raise InvalidInput("a target must be an object", field=where)
    _refuse_unknown(raw, _TARGET_FIELDS, f"{where}.")
    category = raw.get("category")
    if not isinstance(category, str) or not category.strip():
        raise InvalidInput('a category name, or "*" for any', field=f"{where}.category")
    priority = raw.get("priority")
    if not isinstance(priority, str) or (priority not in _PRIORITIES and priority != ANY):
        raise InvalidInput('one of P0, P1, P2, P3, or "*" for any', field=f"{where}.priority")
    if category != ANY and priority == ANY:
        raise InvalidInput("a category's target must name a priority", field=f"{where}.priority")
    working_time = raw.get("working_time", True)
    if not isinstance(working_time, bool):
        raise InvalidInput("must be true or false", field=f"{where}.working_time")
    acknowledge_within = _minutes(raw, "acknowledge_within_minutes", where)
    resolve_within = _minutes(raw, "resolve_within_minutes", where)
    try:
        target = SlaTarget(
            acknowledge_within=acknowledge_within,
            resolve_within=resolve_within,
            warn_at_share=raw.get("warn_at_share", 0.8),  # SlaTarget checks type and range
            working_time=working_time,
        )
    except InvalidInput as error:
        # SlaTarget names its own fields; say them as they are spelled in the data.
        suffix = "" if error.field == "warn_at_share" else "_minutes"
        raise InvalidInput(error.detail, field=f"{where}.{error.field}{suffix}") from None
    return (category, str(priority)), target


def _minutes(raw: Mapping[str, object], name: str, where: str) -> timedelta:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(
            "a positive whole number of minutes is required", field=f"{where}.{name}"
        )
    if value > MAX_BUDGET_MINUTES:
        raise InvalidInput(f"at most {MAX_BUDGET_MINUTES} minutes", field=f"{where}.{name}")
    return timedelta(minutes=value)


def _refuse_unknown(raw: Mapping[str, object], known: set[str], prefix: str) -> None:
    for key in raw:
        if key not in known:
            raise InvalidInput("unknown field", field=f"{prefix}{key}")
