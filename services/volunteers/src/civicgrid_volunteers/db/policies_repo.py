"""Each district's matching policy (one JSON row; absent = the defaults)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import district_policies
from civicgrid_volunteers.domain.policy import DEFAULT, MatchingPolicy


class PoliciesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def current(self) -> MatchingPolicy:
        raw = await self.session.scalar(
            select(district_policies.c.policy).where(
                district_policies.c.tenant_id == self.tenant_id
            )
        )
        return DEFAULT if raw is None else MatchingPolicy.model_validate(raw)

    async def put(self, policy: MatchingPolicy) -> None:
        statement = insert(district_policies).values(
            tenant_id=self.tenant_id, policy=policy.model_dump(mode="json")
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[district_policies.c.tenant_id],
                set_={
                    "policy": statement.excluded.policy,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )
