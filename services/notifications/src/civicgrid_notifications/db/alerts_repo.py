"""Alerts, the people each asked, and their timelines (always within one district)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables_alerts import alert_responders, alert_timeline, alerts


@dataclass(frozen=True, slots=True)
class Alert:
    id: UUID
    person_id: UUID
    device_id: str
    source: str
    drill: bool
    status: str
    step: int
    policy: dict[str, Any]
    person_name: str
    grid_id: UUID | None
    address: str
    lat: float | None
    lon: float | None
    raised_by: str
    raised_at: datetime
    step_started_at: datetime
    acknowledged_by: str | None
    acknowledged_name: str | None
    acknowledged_at: datetime | None
    on_site_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Responder:
    responder: str
    person_id: UUID | None
    name: str
    phone: str
    role: str
    step: int
    asked_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    step: int | None
    detail: dict[str, Any]


_A = alerts.c
_ALERT_COLUMNS = [getattr(_A, name) for name in Alert.__slots__]
_R = alert_responders.c
_T = alert_timeline.c

# Built once: building a statement for each call cost as much as running it (SQLAlchemy,
# about 0.2 ms each; an alert press runs some twenty).
_GET = select(*_ALERT_COLUMNS).where(_A.tenant_id == bindparam("tenant"), _A.id == bindparam("id"))
_GET_LOCKED = _GET.with_for_update()
_OPEN_ONE = (
    select(*_ALERT_COLUMNS)
    .where(
        _A.tenant_id == bindparam("tenant"),
        _A.person_id == bindparam("person"),
        _A.status != "resolved",
        _A.drill.is_(False),
    )
    .order_by(_A.raised_at.desc())
    .limit(1)
)
_ADD = insert(alerts)
_NOTE = insert(alert_timeline)
# Text, not postgresql.insert(): SQLAlchemy 2.0 caches no statement with ON CONFLICT, so each
# execution compiled it again (about 0.5 ms of an alert press's CPU, py-spy). Text is cached.
_ADD_RESPONDER = text(
    "INSERT INTO alert_responders (tenant_id, alert_id, responder, person_id, name, phone, role,"
    " step, asked_at) VALUES (:tenant_id, :alert_id, :responder, :person_id, :name, :phone,"
    " :role, :step, :asked_at) ON CONFLICT ON CONSTRAINT pk_alert_responders DO NOTHING"
)


class AlertsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, alert: Alert) -> None:
        values = {name: getattr(alert, name) for name in Alert.__slots__}
        await self.session.execute(_ADD, {"tenant_id": self.tenant_id, **values})

    async def get(self, alert_id: UUID, *, lock: bool = False) -> Alert | None:
        query = _GET_LOCKED if lock else _GET
        row = (
            await self.session.execute(query, {"tenant": self.tenant_id, "id": alert_id})
        ).first()
        return Alert(*row) if row else None

    async def change(self, alert_id: UUID, **values: Any) -> None:
        await self.session.execute(
            update(alerts).where(_A.tenant_id == self.tenant_id, _A.id == alert_id).values(**values)
        )

    async def open_one(self, person_id: UUID) -> Alert | None:
        """The person's latest open alert (a press asks on every press)."""
        row = (
            await self.session.execute(_OPEN_ONE, {"tenant": self.tenant_id, "person": person_id})
        ).first()
        return Alert(*row) if row else None

    async def listing(self, *, open_only: bool, person_id: UUID | None, limit: int) -> list[Alert]:
        query = select(*_ALERT_COLUMNS).where(_A.tenant_id == self.tenant_id)
        if open_only:
            query = query.where(_A.status != "resolved")
        if person_id is not None:
            query = query.where(_A.person_id == person_id)
        rows = await self.session.execute(query.order_by(_A.raised_at.desc()).limit(limit))
        return [Alert(*r) for r in rows]

    async def add_responders(self, alert_id: UUID, responders: Sequence[Responder]) -> None:
        if not responders:
            return
        rows = [
            {
                "tenant_id": self.tenant_id,
                "alert_id": alert_id,
                **{name: getattr(r, name) for name in Responder.__slots__},
            }
            for r in responders
        ]
        await self.session.execute(_ADD_RESPONDER, rows)

    async def responders(self, alert_id: UUID) -> list[Responder]:
        rows = await self.session.execute(
            select(*[getattr(_R, n) for n in Responder.__slots__])
            .where(_R.tenant_id == self.tenant_id, _R.alert_id == alert_id)
            .order_by(_R.step, _R.asked_at, _R.responder)
        )
        return [Responder(*r) for r in rows]

    async def note(
        self, alert_id: UUID, at: datetime, kind: str, step: int | None, **detail: Any
    ) -> None:
        await self.session.execute(
            _NOTE,
            {
                "tenant_id": self.tenant_id,
                "alert_id": alert_id,
                "at": at,
                "kind": kind,
                "step": step,
                "detail": detail,
            },
        )

    async def timeline(self, alert_id: UUID) -> list[TimelineEntry]:
        rows = await self.session.execute(
            select(_T.at, _T.kind, _T.step, _T.detail)
            .where(_T.tenant_id == self.tenant_id, _T.alert_id == alert_id)
            .order_by(_T.id)
        )
        return [TimelineEntry(*r) for r in rows]
