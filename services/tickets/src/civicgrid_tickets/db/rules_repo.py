"""A district's published rules (SLA policies, calendars, evaluation formulas), always within one
tenant. Rows are only ever inserted: a published version is never changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.tables import tenant_rules
from civicgrid_tickets.domain.tenant_rules import BUILT_IN_VERSION, RuleKind

# The constraint a second publisher of the same number runs into (see RulesRepository.publish).
PRIMARY_KEY = "tenant_rules_pkey"


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    version: int
    published_at: datetime
    published_by: str


@dataclass(frozen=True, slots=True)
class StoredRule:
    kind: RuleKind
    version: int
    body: dict[str, Any]
    published_at: datetime
    published_by: str


_r = tenant_rules.c
_STORED = (_r.kind, _r.version, _r.body, _r.published_at, _r.published_by)


def _stored(row: Any) -> StoredRule:
    return StoredRule(RuleKind(row.kind), row.version, row.body, row.published_at, row.published_by)


class RulesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def latest(self) -> dict[RuleKind, StoredRule]:
        """The highest published version of each kind; kinds never published are absent."""
        query = (
            select(*_STORED)
            .where(_r.tenant_id == self.tenant_id)
            .distinct(_r.kind)
            .order_by(_r.kind, _r.version.desc())
        )
        found = [_stored(row) for row in await self.session.execute(query)]
        return {rule.kind: rule for rule in found}

    async def get(self, kind: RuleKind, version: int) -> StoredRule | None:
        query = select(*_STORED).where(
            _r.tenant_id == self.tenant_id, _r.kind == kind.value, _r.version == version
        )
        row = (await self.session.execute(query)).first()
        return _stored(row) if row else None

    async def versions(self, kind: RuleKind) -> list[PublishedVersion]:
        """Every published version of the kind, oldest first (the built-in 1 is not stored)."""
        query = (
            select(_r.version, _r.published_at, _r.published_by)
            .where(_r.tenant_id == self.tenant_id, _r.kind == kind.value)
            .order_by(_r.version)
        )
        return [PublishedVersion(*row) for row in await self.session.execute(query)]

    async def publish(self, kind: RuleKind, body: dict[str, Any], at: datetime, by: str) -> int:
        """Stores the body as the kind's next version and returns its number.

        The number is one more than the highest stored (or than the built-in 1), taken in the
        same statement as the insert. Two transactions doing this at once may take the same
        number: the second insert then waits for the first and fails on PRIMARY_KEY once it
        commits, for the caller to try again."""
        next_version = func.coalesce(func.max(_r.version), BUILT_IN_VERSION) + 1
        chosen = select(
            literal(self.tenant_id, tenant_rules.c.tenant_id.type),
            literal(kind.value),
            next_version,
            literal(body, JSONB),
            literal(at, tenant_rules.c.published_at.type),
            literal(by),
        ).where(_r.tenant_id == self.tenant_id, _r.kind == kind.value)
        statement = (
            insert(tenant_rules)
            .from_select(
                ["tenant_id", "kind", "version", "body", "published_at", "published_by"], chosen
            )
            .returning(_r.version)
        )
        return int((await self.session.execute(statement)).scalar_one())
