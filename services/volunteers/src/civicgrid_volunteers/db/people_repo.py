"""People as identity announces them: names, party category and branch, living alone."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import people


@dataclass(frozen=True, slots=True)
class Person:
    person_id: UUID
    display_name: str
    party_category: str  # "" when not a party member; direct, dual, takeover, floating, focused
    party_branch: str
    living_alone: bool


class PeopleRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def remember(self, person: Person) -> None:
        values = {
            "tenant_id": self.tenant_id,
            "person_id": person.person_id,
            "display_name": person.display_name,
            "party_category": person.party_category,
            "party_branch": person.party_branch,
            "living_alone": person.living_alone,
        }
        statement = insert(people).values(values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[people.c.person_id],
                set_={k: statement.excluded[k] for k in values if k != "person_id"}
                | {"updated_at": statement.excluded.updated_at},
            )
        )

    async def get(self, person_id: UUID) -> Person | None:
        row = (
            await self.session.execute(
                select(
                    people.c.person_id,
                    people.c.display_name,
                    people.c.party_category,
                    people.c.party_branch,
                    people.c.living_alone,
                ).where(people.c.tenant_id == self.tenant_id, people.c.person_id == person_id)
            )
        ).first()
        return Person(*row) if row else None

    async def of_branch(self, branch: str) -> list[Person]:
        rows = await self.session.execute(
            select(
                people.c.person_id,
                people.c.display_name,
                people.c.party_category,
                people.c.party_branch,
                people.c.living_alone,
            )
            .where(people.c.tenant_id == self.tenant_id, people.c.party_branch == branch)
            .order_by(people.c.display_name, people.c.person_id)
        )
        return [Person(*r) for r in rows]
