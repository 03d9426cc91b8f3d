"""Deliveries, their attempts, and the in-app inbox (always within one district)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import deliveries, delivery_attempts, inbox_messages
from civicgrid_platform.db import driver
from civicgrid_platform.db.bulk import copy_rows, insert_new_rows


@dataclass(frozen=True, slots=True)
class Delivery:
    id: UUID
    event_id: UUID
    event_type: str
    recipient: str
    person_id: UUID | None
    channel: str
    category: str
    urgent: bool
    locale: str
    subject: str
    body: str
    address: str | None
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    provider: str | None
    provider_ref: str | None
    last_error: str | None
    alert_id: UUID | None
    created_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attempt:
    number: int
    provider: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    status_code: int | None
    detail: str


_D = deliveries.c
_DELIVERY_COLUMNS = [getattr(_D, name) for name in Delivery.__slots__]
_A = delivery_attempts.c
# Every message sent runs these: straight through the driver (platform db.driver).
_GET = (
    f"SELECT {', '.join(Delivery.__slots__)} FROM deliveries"  # noqa: S608 - our own names
    " WHERE tenant_id = $1 AND id = $2"
)
_GET_LOCKED = f"{_GET} FOR UPDATE"
_GET_MANY_LOCKED = (
    f"SELECT {', '.join(Delivery.__slots__)} FROM deliveries"  # noqa: S608 - our own names
    " WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE"
)
# Locked in id order, as the dispatcher locks a group: two lockers of overlapping rows in
# different orders could deadlock (an acknowledgement against a group being sent).
_STOP_QUEUED_OF_ALERT = (
    "UPDATE deliveries SET status = 'suppressed', last_error = $3, finished_at = $4"
    " WHERE tenant_id = $1 AND status = 'queued' AND id = ANY(ARRAY("
    " SELECT id FROM deliveries WHERE tenant_id = $1 AND alert_id = $2 AND status = 'queued'"
    " ORDER BY id FOR UPDATE))"
)
_ADD_ATTEMPT = (
    "INSERT INTO delivery_attempts (tenant_id, delivery_id, number, provider, started_at,"
    " finished_at, outcome, status_code, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)


@lru_cache(maxsize=64)
def _change(columns: tuple[str, ...]) -> str:
    """UPDATE of these columns (names from our own code, checked against the table)."""
    for column in columns:
        deliveries.c[column]
    assignments = ", ".join(f"{c} = ${n}" for n, c in enumerate(columns, start=3))
    return f"UPDATE deliveries SET {assignments} WHERE tenant_id = $1 AND id = $2"  # noqa: S608


class DeliveriesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add_new(self, rows: Sequence[dict[str, Any]]) -> set[UUID]:
        """Inserts deliveries not made before (unique on event, recipient, channel); the ids
        of those inserted now, so a redelivered event sends nothing twice."""
        if not rows:
            return set()
        columns = ["tenant_id", *rows[0]]
        records = [(self.tenant_id, *row.values()) for row in rows]
        new = await insert_new_rows(
            self.session,
            deliveries,
            columns,
            records,
            conflict="uq_deliveries_once",
            returning="id",
        )
        return set(new)

    async def add_inbox(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            columns = ["tenant_id", *rows[0]]
            records = [(self.tenant_id, *row.values()) for row in rows]
            await copy_rows(self.session, inbox_messages, columns, records)

    async def get(self, delivery_id: UUID, *, lock: bool = False) -> Delivery | None:
        query = _GET_LOCKED if lock else _GET
        row = await driver.fetchrow(self.session, query, self.tenant_id, delivery_id)
        return Delivery(*row) if row else None

    async def lock_many(self, delivery_ids: Sequence[UUID]) -> list[Delivery]:
        """Those of the deliveries that exist, locked in id order (two lockers of overlapping
        rows wait for each other instead of deadlocking)."""
        rows = await driver.fetch(
            self.session, _GET_MANY_LOCKED, self.tenant_id, list(delivery_ids)
        )
        return [Delivery(*row) for row in rows]

    async def change_many(self, changes: Sequence[tuple[UUID, dict[str, Any]]]) -> None:
        """Each delivery's own changes; one pipelined statement per set of columns changed."""
        grouped: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for delivery_id, values in changes:
            grouped.setdefault(tuple(values), []).append(
                (self.tenant_id, delivery_id, *values.values())
            )
        for columns, rows in grouped.items():
            await driver.executemany(self.session, _change(columns), rows)

    async def stop_queued_of_alert(self, alert_id: UUID, why: str, now: datetime) -> None:
        """The alert's messages not sent yet are suppressed (the dispatcher skips them)."""
        await driver.execute(
            self.session, _STOP_QUEUED_OF_ALERT, self.tenant_id, alert_id, why, now
        )

    async def add_attempts(self, attempts: Sequence[tuple[UUID, Attempt]]) -> None:
        if attempts:
            rows = [
                (self.tenant_id, delivery_id, *(getattr(a, n) for n in Attempt.__slots__))
                for delivery_id, a in attempts
            ]
            await driver.executemany(self.session, _ADD_ATTEMPT, rows)

    async def change(self, delivery_id: UUID, **values: Any) -> None:
        statement = _change(tuple(values))
        await driver.execute(self.session, statement, self.tenant_id, delivery_id, *values.values())

    async def add_attempt(self, delivery_id: UUID, attempt: Attempt) -> None:
        await driver.execute(
            self.session,
            _ADD_ATTEMPT,
            self.tenant_id,
            delivery_id,
            *(getattr(attempt, name) for name in Attempt.__slots__),
        )

    async def attempts(self, delivery_id: UUID) -> list[Attempt]:
        rows = await self.session.execute(
            select(
                _A.number,
                _A.provider,
                _A.started_at,
                _A.finished_at,
                _A.outcome,
                _A.status_code,
                _A.detail,
            )
            .where(_A.tenant_id == self.tenant_id, _A.delivery_id == delivery_id)
            .order_by(_A.id)
        )
        return [Attempt(*r) for r in rows]

    async def listing(
        self,
        *,
        person_id: UUID | None = None,
        event_id: UUID | None = None,
        status: str | None = None,
        after: tuple[datetime, UUID] | None = None,
        limit: int = 50,
    ) -> list[Delivery]:
        """Newest first, after a cursor (created_at, id)."""
        query = select(*_DELIVERY_COLUMNS).where(_D.tenant_id == self.tenant_id)
        if person_id is not None:
            query = query.where(_D.person_id == person_id)
        if event_id is not None:
            query = query.where(_D.event_id == event_id)
        if status is not None:
            query = query.where(_D.status == status)
        if after is not None:
            query = query.where(
                tuple_(_D.created_at, _D.id) < tuple_(literal(after[0]), literal(after[1]))
            )
        rows = await self.session.execute(
            query.order_by(_D.created_at.desc(), _D.id.desc()).limit(limit)
        )
        return [Delivery(*r) for r in rows]
