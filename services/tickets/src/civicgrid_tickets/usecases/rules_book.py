"""The rules each district works by, kept in the process so that intake, every step of a ticket
and the SLA sweep do not read the database for them on every call.

Published versions never change, so each (tenant, kind, version) is read and parsed once and
kept for the life of the process. Which version is *current* is kept only briefly: other
replicas publish too, and this one hears of it only by reading the table again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.db.rules_repo import RulesRepository, StoredRule
from civicgrid_tickets.domain.calendar import WorkingCalendar
from civicgrid_tickets.domain.evaluation_formula import EvaluationFormula
from civicgrid_tickets.domain.sla import SlaPolicy
from civicgrid_tickets.domain.tenant_rules import (
    BUILT_IN_RULES,
    BUILT_IN_VERSION,
    Rule,
    RuleKind,
    TenantRules,
    parse_rule,
)

# How long this process trusts what it last read as a district's current rules. A version
# published by another replica takes effect here within this time; one published through this
# process takes effect at once.
DEFAULT_REFRESH_SECONDS = 5.0

_R = TypeVar("_R", SlaPolicy, WorkingCalendar, EvaluationFormula)


class RuleStore(Protocol):
    """What the book reads: RulesRepository, or a unit test's fake."""

    async def latest(self) -> Mapping[RuleKind, StoredRule]: ...

    async def get(self, kind: RuleKind, version: int) -> StoredRule | None: ...


RuleStoreFactory = Callable[[AsyncSession, UUID], RuleStore]


class UnknownRuleVersion(LookupError):
    """A ticket or snapshot names a version its district never published: broken data, a bug."""


@dataclass(frozen=True, slots=True)
class _Current:
    rules: TenantRules
    versions: Mapping[RuleKind, int]
    fresh_until: float


class RulesBook:
    def __init__(
        self,
        *,
        refresh_after: float = DEFAULT_REFRESH_SECONDS,
        store: RuleStoreFactory = RulesRepository,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._refresh_after = refresh_after
        self._store = store
        self._monotonic = monotonic
        self._versions: dict[tuple[UUID, RuleKind, int], Rule] = {}
        self._current: dict[UUID, _Current] = {}

    async def current(
        self, session: AsyncSession, tenant_id: UUID, *, refresh: bool = False
    ) -> TenantRules:
        """The district's rules in force now; `refresh` reads the database whatever is cached
        (for a decision that should not lag a publication on another replica by seconds).
        `session` must act for `tenant_id` (row-level security)."""
        known = self._current.get(tenant_id)
        if refresh or known is None or known.fresh_until <= self._monotonic():
            known = await self._read_current(session, tenant_id)
        return known.rules

    async def policy(self, session: AsyncSession, tenant_id: UUID, version: int) -> SlaPolicy:
        """The SLA policy `version` of the district: the one a ticket started with."""
        return await self._version(session, tenant_id, RuleKind.SLA_POLICY, version, SlaPolicy)

    async def formula(
        self, session: AsyncSession, tenant_id: UUID, version: int
    ) -> EvaluationFormula:
        """The evaluation formula `version` of the district: the one a snapshot was scored by."""
        return await self._version(
            session, tenant_id, RuleKind.EVALUATION_FORMULA, version, EvaluationFormula
        )

    def published(self, tenant_id: UUID, kind: RuleKind, version: int, rule: Rule) -> None:
        """A version this process has just committed: known, and current here, at once."""
        self._versions[(tenant_id, kind, version)] = rule
        known = self._current.get(tenant_id)
        if known is not None and known.versions[kind] < version:
            versions = {**known.versions, kind: version}
            self._current[tenant_id] = _Current(
                self._assemble(tenant_id, versions), versions, known.fresh_until
            )

    async def _read_current(self, session: AsyncSession, tenant_id: UUID) -> _Current:
        latest = await self._store(session, tenant_id).latest()
        versions = dict.fromkeys(RuleKind, BUILT_IN_VERSION)
        for kind, stored in latest.items():
            self._remember(tenant_id, stored)
            versions[kind] = stored.version
        earlier = self._current.get(tenant_id)
        if earlier is not None:
            # Versions only grow: a read that began before this process published one must not
            # bring the older version back.
            versions = {kind: max(v, earlier.versions[kind]) for kind, v in versions.items()}
        current = _Current(
            self._assemble(tenant_id, versions),
            versions,
            self._monotonic() + self._refresh_after,
        )
        self._current[tenant_id] = current
        return current

    async def _version(
        self,
        session: AsyncSession,
        tenant_id: UUID,
        kind: RuleKind,
        version: int,
        expected: type[_R],
    ) -> _R:
        rule = self._known(tenant_id, kind, version)
        if rule is None:
            stored = await self._store(session, tenant_id).get(kind, version)
            if stored is None:
                raise UnknownRuleVersion(f"tenant {tenant_id} has no {kind} version {version}")
            rule = self._remember(tenant_id, stored)
        assert isinstance(rule, expected)
        return rule

    def _known(self, tenant_id: UUID, kind: RuleKind, version: int) -> Rule | None:
        if version == BUILT_IN_VERSION:
            return BUILT_IN_RULES[kind]
        return self._versions.get((tenant_id, kind, version))

    def _remember(self, tenant_id: UUID, stored: StoredRule) -> Rule:
        key = (tenant_id, stored.kind, stored.version)
        rule = self._versions.get(key)
        if rule is None:
            try:
                rule = parse_rule(stored.kind, stored.body, stored.version)
            except InvalidInput as error:
                # Checked when published: failing now is the server's fault, not the caller's.
                raise RuntimeError(
                    f"stored {stored.kind} version {stored.version} of tenant {tenant_id} no "
                    f"longer reads: {error.field}: {error.detail}"
                ) from error
            self._versions[key] = rule
        return rule

    def _assemble(self, tenant_id: UUID, versions: Mapping[RuleKind, int]) -> TenantRules:
        def rule(kind: RuleKind) -> Rule:
            found = self._known(tenant_id, kind, versions[kind])
            assert found is not None, "every current version is remembered before it is used"
            return found

        policy, calendar, formula = (
            rule(RuleKind.SLA_POLICY),
            rule(RuleKind.CALENDAR),
            rule(RuleKind.EVALUATION_FORMULA),
        )
        assert isinstance(policy, SlaPolicy)
        assert isinstance(calendar, WorkingCalendar)
        assert isinstance(formula, EvaluationFormula)
        return TenantRules(policy, calendar, formula, versions[RuleKind.CALENDAR])
