"""Alerts, the people each asked, and their timelines (always within one district)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables_alerts import alert_responders, alert_timeline, alerts
from civicgrid_platform.db import driver


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

# A press's and a step's statements go straight through the driver (platform db.driver: a
# third of SQLAlchemy's cost); the rest stay on SQLAlchemy. JSON goes as text.
_COLUMNS = ", ".join(Alert.__slots__)
_POLICY_AT = Alert.__slots__.index("policy")
_GET = f"SELECT {_COLUMNS} FROM alerts WHERE tenant_id = $1 AND id = $2"  # noqa: S608
_GET_LOCKED = f"{_GET} FOR UPDATE"
_OPEN_ONE = (
    f"SELECT {_COLUMNS} FROM alerts"  # noqa: S608 - our own names
    " WHERE tenant_id = $1 AND person_id = $2 AND status <> 'resolved' AND NOT drill"
    " ORDER BY raised_at DESC LIMIT 1"
)
_ADD = (
    f"INSERT INTO alerts (tenant_id, {_COLUMNS}) VALUES "  # noqa: S608 - our own names
    f"({', '.join(f'${n}' for n in range(1, len(Alert.__slots__) + 2))})"
)
_NOTE = (
    "INSERT INTO alert_timeline (tenant_id, alert_id, at, kind, step, detail)"
    " VALUES ($1, $2, $3, $4, $5, $6::jsonb)"
)
_ADD_RESPONDER = (
    "INSERT INTO alert_responders (tenant_id, alert_id, responder, person_id, name, phone, role,"
    " step, asked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT ON CONSTRAINT pk_alert_responders DO NOTHING"
)


class AlertsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, alert: Alert) -> None:
        values = [getattr(alert, name) for name in Alert.__slots__]
        values[_POLICY_AT] = json.dumps(values[_POLICY_AT])
        await driver.execute(self.session, _ADD, self.tenant_id, *values)

    async def get(self, alert_id: UUID, *, lock: bool = False) -> Alert | None:
        query = _GET_LOCKED if lock else _GET
        row = await driver.fetchrow(self.session, query, self.tenant_id, alert_id)
        return Alert(*row) if row else None

    async def change(self, alert_id: UUID, **values: Any) -> None:
        await self.session.execute(
            update(alerts).where(_A.tenant_id == self.tenant_id, _A.id == alert_id).values(**values)
        )

    async def open_one(self, person_id: UUID) -> Alert | None:
        """The person's latest open alert (a press asks on every press)."""
        row = await driver.fetchrow(self.session, _OPEN_ONE, self.tenant_id, person_id)
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
            (self.tenant_id, alert_id, *(getattr(r, name) for name in Responder.__slots__))
            for r in responders
        ]
        await driver.executemany(self.session, _ADD_RESPONDER, rows)

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
        await driver.execute(
            self.session, _NOTE, self.tenant_id, alert_id, at, kind, step, json.dumps(detail)
        )

    async def timeline(self, alert_id: UUID) -> list[TimelineEntry]:
        rows = await self.session.execute(
            select(_T.at, _T.kind, _T.step, _T.detail)
            .where(_T.tenant_id == self.tenant_id, _T.alert_id == alert_id)
            .order_by(_T.id)
        )
        return [TimelineEntry(*r) for r in rows]
