"""A district's own templates, always within one tenant. Built-ins are not stored: they live in
domain.default_templates, so a district that saved nothing has no rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import templates
from civicgrid_notifications.domain.templates import TemplateKey

_t = templates.c
_COLUMNS = (
    _t.event_type,
    _t.channel,
    _t.locale,
    _t.subject,
    _t.body,
    _t.version,
    _t.updated_by,
    _t.updated_at,
)


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    event_type: str
    channel: str
    locale: str
    subject: str
    body: str
    version: int
    updated_by: str
    updated_at: datetime


class TemplatesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _key_is(self, key: TemplateKey) -> list[ColumnElement[bool]]:
        return [
            _t.tenant_id == self.tenant_id,
            _t.event_type == key.event_type,
            _t.channel == key.channel.value,
            _t.locale == key.locale,
        ]

    async def save(
        self, key: TemplateKey, subject: str, body: str, by: str, at: datetime
    ) -> StoredTemplate:
        """Inserts version 1, or replaces the wording and bumps the version (atomically, so two
        admins saving at once get two versions)."""
        statement = upsert(templates).values(
            id=uuid.uuid4(),
            tenant_id=self.tenant_id,
            event_type=key.event_type,
            channel=key.channel.value,
            locale=key.locale,
            subject=subject,
            body=body,
            version=1,
            updated_by=by,
            updated_at=at,
        )
        returning = statement.on_conflict_do_update(
            constraint="uq_templates_key",
            set_={
                "subject": statement.excluded.subject,
                "body": statement.excluded.body,
                "version": _t.version + 1,
                "updated_by": statement.excluded.updated_by,
                "updated_at": statement.excluded.updated_at,
            },
        ).returning(*_COLUMNS)
        return StoredTemplate(*(await self.session.execute(returning)).one())

    async def get(self, key: TemplateKey) -> StoredTemplate | None:
        row = (await self.session.execute(select(*_COLUMNS).where(*self._key_is(key)))).first()
        return StoredTemplate(*row) if row is not None else None

    async def listed(
        self,
        event_type: str | None = None,
        channel: str | None = None,
        locale: str | None = None,
    ) -> list[StoredTemplate]:
        query = select(*_COLUMNS).where(_t.tenant_id == self.tenant_id)
        if event_type is not None:
            query = query.where(_t.event_type == event_type)
        if channel is not None:
            query = query.where(_t.channel == channel)
        if locale is not None:
            query = query.where(_t.locale == locale)
        query = query.order_by(_t.event_type, _t.channel, _t.locale)
        return [StoredTemplate(*row) for row in await self.session.execute(query)]

    async def delete(self, key: TemplateKey) -> bool:
        deleted = await self.session.execute(
            delete(templates).where(*self._key_is(key)).returning(_t.id)
        )
        return deleted.first() is not None

    async def versions(self) -> dict[tuple[str, str, str], int]:
        """(event type, channel, locale) -> version of every template the district saved: what a
        renderer needs to know which keys are overridden, without the wording."""
        query = select(_t.event_type, _t.channel, _t.locale, _t.version).where(
            _t.tenant_id == self.tenant_id
        )
        return {(e, c, loc): v for e, c, loc, v in await self.session.execute(query)}
