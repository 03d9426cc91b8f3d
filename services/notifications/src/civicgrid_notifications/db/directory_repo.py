"""What notifications keeps of other services' facts: districts' zones and languages, people's
names, tickets' reporters and owners, departments' contact addresses."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import departments, districts, people, tracked_tickets
from civicgrid_platform.db import driver


@dataclass(frozen=True, slots=True)
class District:
    name: str
    timezone: str
    locale: str
    internal_webhooks: bool = False
    digest_hour: int = 8


@dataclass(frozen=True, slots=True)
class TrackedTicket:
    ticket_id: UUID
    number: str
    category: str
    reporter_id: UUID | None
    owner_unit_id: UUID | None
    owner_department_id: UUID | None
    owner_person_ids: tuple[UUID, ...]
    level: str


# Every message asks these: straight through the driver (platform db.driver).
_DISTRICT = (
    "SELECT name, timezone, locale, internal_webhooks, digest_hour FROM districts"
    " WHERE tenant_id = $1"
)
_NAMES = (
    "SELECT person_id, display_name FROM people"
    " WHERE tenant_id = $1 AND person_id = ANY($2::uuid[])"
)


class DirectoryRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- districts -----------------------------------------------------------------------------
    async def remember_district(self, name: str, timezone: str, locale: str) -> None:
        statement = insert(districts).values(
            tenant_id=self.tenant_id, name=name, timezone=timezone, locale=locale
        )
        excluded = statement.excluded
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[districts.c.tenant_id],
                set_={
                    "name": excluded.name,
                    "timezone": excluded.timezone,
                    "locale": excluded.locale,
                },
            )
        )

    async def district(self) -> District | None:
        row = await driver.fetchrow(self.session, _DISTRICT, self.tenant_id)
        return District(*row) if row else None

    # --- people --------------------------------------------------------------------------------
    async def remember_person(self, person_id: UUID, display_name: str) -> None:
        statement = insert(people).values(
            tenant_id=self.tenant_id, person_id=person_id, display_name=display_name
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[people.c.tenant_id, people.c.person_id],
                set_={"display_name": statement.excluded.display_name},
            )
        )

    async def names(self, person_ids: Collection[UUID]) -> dict[UUID, str]:
        if not person_ids:
            return {}
        rows = await driver.fetch(self.session, _NAMES, self.tenant_id, list(person_ids))
        return {person: name for person, name in rows}

    # --- tickets -------------------------------------------------------------------------------
    async def track_ticket(self, ticket_id: UUID, **values: object) -> None:
        """Creates or updates what is known of a ticket; only the given columns change."""
        statement = insert(tracked_tickets).values(
            tenant_id=self.tenant_id, ticket_id=ticket_id, **values
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[tracked_tickets.c.tenant_id, tracked_tickets.c.ticket_id],
                set_={k: statement.excluded[k] for k in values}
                | {"updated_at": statement.excluded.updated_at},
            )
        )

    async def ticket(self, ticket_id: UUID) -> TrackedTicket | None:
        t = tracked_tickets.c
        row = (
            await self.session.execute(
                select(
                    t.ticket_id,
                    t.number,
                    t.category,
                    t.reporter_id,
                    t.owner_unit_id,
                    t.owner_department_id,
                    t.owner_person_ids,
                    t.level,
                ).where(t.tenant_id == self.tenant_id, t.ticket_id == ticket_id)
            )
        ).first()
        if row is None:
            return None
        return TrackedTicket(
            ticket_id=row.ticket_id,
            number=row.number,
            category=row.category,
            reporter_id=row.reporter_id,
            owner_unit_id=row.owner_unit_id,
            owner_department_id=row.owner_department_id,
            owner_person_ids=tuple(row.owner_person_ids or ()),
            level=row.level,
        )

    # --- departments ---------------------------------------------------------------------------
    async def remember_department(self, department_id: UUID, name: str, contact: str) -> None:
        statement = insert(departments).values(
            tenant_id=self.tenant_id, department_id=department_id, name=name, contact=contact
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[departments.c.tenant_id, departments.c.department_id],
                set_={"name": statement.excluded.name, "contact": statement.excluded.contact},
            )
        )

    async def department_contacts(self, department_ids: Sequence[UUID]) -> dict[UUID, str]:
        if not department_ids:
            return {}
        rows = await self.session.execute(
            select(departments.c.department_id, departments.c.contact).where(
                departments.c.tenant_id == self.tenant_id,
                departments.c.department_id.in_(list(department_ids)),
            )
        )
        return {r.department_id: r.contact for r in rows if r.contact}
