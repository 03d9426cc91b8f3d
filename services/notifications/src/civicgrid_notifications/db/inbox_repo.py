"""The in-app inbox as its owner reads it: newest first, unread counts, marking read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import inbox_messages


@dataclass(frozen=True, slots=True)
class InboxMessage:
    id: UUID
    event_type: str
    category: str
    urgent: bool
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


_M = inbox_messages.c
_COLUMNS = [getattr(_M, name) for name in InboxMessage.__slots__]


class InboxRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID, person_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.person_id = person_id

    def _mine(self) -> tuple[ColumnElement[bool], ...]:
        return (_M.tenant_id == self.tenant_id, _M.person_id == self.person_id)

    async def page(
        self, *, unread_only: bool, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[InboxMessage]:
        query = select(*_COLUMNS).where(*self._mine())
        if unread_only:
            query = query.where(_M.read_at.is_(None))
        if after is not None:
            query = query.where(
                tuple_(_M.created_at, _M.id) < tuple_(literal(after[0]), literal(after[1]))
            )
        rows = await self.session.execute(
            query.order_by(_M.created_at.desc(), _M.id.desc()).limit(limit)
        )
        return [InboxMessage(*r) for r in rows]

    async def since(self, moment: datetime, limit: int) -> list[InboxMessage]:
        """Oldest first from `moment` on (a live stream's next read)."""
        rows = await self.session.execute(
            select(*_COLUMNS)
            .where(*self._mine(), _M.created_at >= moment)
            .order_by(_M.created_at, _M.id)
            .limit(limit)
        )
        return [InboxMessage(*r) for r in rows]

    async def get(self, message_id: UUID) -> InboxMessage | None:
        row = (
            await self.session.execute(select(*_COLUMNS).where(*self._mine(), _M.id == message_id))
        ).first()
        return InboxMessage(*row) if row else None

    async def unread(self) -> int:
        count = await self.session.scalar(
            select(func.count()).where(*self._mine(), _M.read_at.is_(None))
        )
        return int(count or 0)

    async def mark_read(self, message_ids: list[UUID] | None, at: datetime) -> int:
        """Marks the given messages (all unread ones when None) read; how many changed."""
        statement = update(inbox_messages).where(*self._mine(), _M.read_at.is_(None))
        if message_ids is not None:
            statement = statement.where(_M.id.in_(message_ids))
        result = await self.session.execute(statement.values(read_at=at))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
