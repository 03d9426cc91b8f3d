"""A district's own rules: the SLA policy, working calendar and evaluation formula in force.

Each kind is versioned per tenant. Version 1 of every kind is the built-in default, the same for
every district and never stored; a district's first published version is 2. A published version
never changes, so whatever was decided by it (a ticket's deadlines, a month's ranking) can be
decided again by it, however many versions follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_tickets.domain.calendar import (
    DEFAULT_CALENDAR,
    DEFAULT_CALENDAR_BODY,
    WorkingCalendar,
)
from civicgrid_tickets.domain.evaluation_formula import (
    DEFAULT_FORMULA,
    DEFAULT_FORMULA_BODY,
    EvaluationFormula,
)
from civicgrid_tickets.domain.sla import SlaPolicy
from civicgrid_tickets.domain.sla_state import DEFAULT_POLICY, DEFAULT_POLICY_BODY

BUILT_IN_VERSION = 1


class RuleKind(StrEnum):
    SLA_POLICY = "sla_policy"
    CALENDAR = "calendar"
    EVALUATION_FORMULA = "evaluation_formula"


Rule = SlaPolicy | WorkingCalendar | EvaluationFormula

BUILT_IN_RULES: Mapping[RuleKind, Rule] = {
    RuleKind.SLA_POLICY: DEFAULT_POLICY,
    RuleKind.CALENDAR: DEFAULT_CALENDAR,
    RuleKind.EVALUATION_FORMULA: DEFAULT_FORMULA,
}
# The built-ins in the shape a tenant admin publishes (and the API shows) them.
BUILT_IN_BODIES: Mapping[RuleKind, Mapping[str, Any]] = {
    RuleKind.SLA_POLICY: DEFAULT_POLICY_BODY,
    RuleKind.CALENDAR: DEFAULT_CALENDAR_BODY,
    RuleKind.EVALUATION_FORMULA: DEFAULT_FORMULA_BODY,
}


def rule_kind(name: str) -> RuleKind:
    try:
        return RuleKind(name)
    except ValueError:
        kinds = ", ".join(k.value for k in RuleKind)
        raise NotFound(f"no such kind of rules; one of {kinds}", field="kind") from None


def rule_body(data: object) -> dict[str, Any]:
    """A submitted body as it is stored: without "version", which the server assigns."""
    if not isinstance(data, Mapping):
        raise InvalidInput("the rules must be an object")
    return {str(key): value for key, value in data.items() if key != "version"}


def parse_rule(kind: RuleKind, body: Mapping[str, Any], version: int) -> Rule:
    """The rule a body describes, numbered `version`; InvalidInput names the field at fault."""
    data = rule_body(body)
    if kind is RuleKind.SLA_POLICY:
        return SlaPolicy.from_dict({**data, "version": version})
    if kind is RuleKind.CALENDAR:
        return WorkingCalendar.from_dict(data)  # its version is kept beside it, in TenantRules
    return EvaluationFormula.from_dict({**data, "version": version})


@dataclass(frozen=True, slots=True)
class TenantRules:
    """What a district's tickets and evaluations are governed by now."""

    policy: SlaPolicy
    calendar: WorkingCalendar
    formula: EvaluationFormula
    calendar_version: int = BUILT_IN_VERSION  # a calendar has no version field of its own


BUILT_IN = TenantRules(DEFAULT_POLICY, DEFAULT_CALENDAR, DEFAULT_FORMULA)
