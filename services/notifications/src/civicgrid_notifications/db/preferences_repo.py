"""People's stored preferences (see domain.preferences for what they mean)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import time
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import preferences
from civicgrid_platform.db import driver


@dataclass(frozen=True, slots=True)
class StoredPreferences:
    person_id: UUID
    timezone: str | None
    locale: str | None
    quiet_start: time | None
    quiet_end: time | None
    channels: dict[str, list[str]]
    digest_categories: list[str]


# Every message asks this: straight through the driver (platform db.driver).
_OF = (
    f"SELECT {', '.join(StoredPreferences.__slots__)} FROM preferences"  # noqa: S608
    " WHERE tenant_id = $1 AND person_id = ANY($2::uuid[])"
)


class PreferencesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def of(self, person_ids: Collection[UUID]) -> dict[UUID, StoredPreferences]:
        if not person_ids:
            return {}
        rows = await driver.fetch(self.session, _OF, self.tenant_id, list(person_ids))
        return {
            person: StoredPreferences(person, zone, locale, start, end, channels, list(digest))
            for person, zone, locale, start, end, channels, digest in rows
        }

    async def save(self, person_id: UUID, values: dict[str, Any]) -> None:
        statement = insert(preferences).values(
            tenant_id=self.tenant_id, person_id=person_id, **values
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[preferences.c.tenant_id, preferences.c.person_id],
                set_={k: statement.excluded[k] for k in values} | {"updated_at": func.now()},
            )
        )
