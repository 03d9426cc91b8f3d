"""Lines waiting for officials' daily digests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import digest_entries

_E = digest_entries.c


@dataclass(frozen=True, slots=True)
class DigestLine:
    person_id: UUID
    kind: str
    line: str
    created_at: datetime


class DigestRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add_lines(self, lines: Sequence[tuple[UUID, UUID, str, str]]) -> None:
        """(person, event, kind, line) rows; a line already waiting for that event is kept."""
        if not lines:
            return
        rows = [
            {"tenant_id": self.tenant_id, "person_id": p, "event_id": e, "kind": k, "line": line}
            for p, e, k, line in lines
        ]
        await self.session.execute(
            insert(digest_entries)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_digest_entries_once")
        )

    async def take_waiting(self, day: date) -> list[DigestLine]:
        """Every waiting line of the district, now marked as carried by `day`'s digest."""
        rows = await self.session.execute(
            update(digest_entries)
            .where(_E.tenant_id == self.tenant_id, _E.digest_day.is_(None))
            .values(digest_day=day)
            .returning(_E.person_id, _E.kind, _E.line, _E.created_at)
        )
        return sorted((DigestLine(*r) for r in rows), key=lambda d: (d.person_id, d.created_at))
