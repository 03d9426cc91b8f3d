"""The timers table: its shape (each service's migration creates it) and its statements.

One timer per kind and subject: scheduling again moves it. The table carries no row-level
security, like the outbox: the timers component claims every district's due rows, and each
handler then works in a transaction bound to the timer's district."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, String, Table
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.db import driver


def timers_table(metadata: MetaData) -> Table:
    return Table(
        "timers",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("tenant_id", PgUUID(as_uuid=True), nullable=False),
        Column("kind", String(24), nullable=False),
        Column("subject_id", PgUUID(as_uuid=True), nullable=False),
        Column("due_at", DateTime(timezone=True), nullable=False),
        Index("ix_timers_due", "due_at"),
        Index("uq_timers_subject", "kind", "subject_id", unique=True),
    )


_SCHEDULE = (
    "INSERT INTO timers (tenant_id, kind, subject_id, due_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (kind, subject_id) DO UPDATE SET due_at = EXCLUDED.due_at"
)
_SCHEDULE_MANY = (
    "INSERT INTO timers (tenant_id, kind, subject_id, due_at)"
    " SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::timestamptz[])"
    " ON CONFLICT (kind, subject_id) DO UPDATE SET due_at = EXCLUDED.due_at"
)
_SCHEDULE_IF_ABSENT = (
    "INSERT INTO timers (tenant_id, kind, subject_id, due_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (kind, subject_id) DO NOTHING"
)
_CANCEL = "DELETE FROM timers WHERE kind = $1 AND subject_id = $2"
_CANCEL_MANY = "DELETE FROM timers WHERE kind = $1 AND subject_id = ANY($2::uuid[])"
# Deleting is claiming: the rows vanish with the transaction that handles them, or come back if
# it rolls back. SKIP LOCKED lets several replicas share the work without waiting. The rows
# are chosen once (an ARRAY sub-select): as `id IN (…)` the planner may scan the sub-select
# again per row, and SKIP LOCKED then hands back more rows than LIMIT allows.
_CLAIM = (
    "DELETE FROM timers WHERE id = ANY(ARRAY("
    " SELECT id FROM timers WHERE due_at <= $1 AND kind = ANY($2::varchar[])"
    " ORDER BY due_at LIMIT $3"
    " FOR UPDATE SKIP LOCKED))"
    " RETURNING tenant_id, kind, subject_id, due_at"
)
# Leasing is claiming for work done outside the claiming transaction (a message sent over the
# network): the rows stay, pushed to the lease's end, so a crash mid-work only delays them.
_LEASE = (
    "UPDATE timers SET due_at = $1 WHERE id = ANY(ARRAY("
    " SELECT id FROM timers WHERE kind = $2 AND due_at <= $3 ORDER BY due_at LIMIT $4"
    " FOR UPDATE SKIP LOCKED))"
    " RETURNING tenant_id, kind, subject_id, due_at"
)
_NEXT = "SELECT due_at FROM timers WHERE kind = $1 AND subject_id = $2"


@dataclass(frozen=True, slots=True)
class DueTimer:
    tenant_id: UUID
    kind: str
    subject_id: UUID
    due_at: datetime


async def schedule(
    session: AsyncSession, tenant_id: UUID, kind: str, subject_id: UUID, due_at: datetime
) -> None:
    await driver.execute(session, _SCHEDULE, tenant_id, kind, subject_id, due_at)


async def schedule_many(
    session: AsyncSession, timers: Sequence[tuple[UUID, str, UUID, datetime]]
) -> None:
    """Many (tenant, kind, subject, due) at once, in one statement."""
    if timers:
        columns = (list(column) for column in zip(*timers, strict=True))
        await driver.execute(session, _SCHEDULE_MANY, *columns)


async def schedule_if_absent(
    session: AsyncSession, tenant_id: UUID, kind: str, subject_id: UUID, due_at: datetime
) -> None:
    """Schedules unless a timer of this kind and subject waits already (it keeps its time)."""
    await driver.execute(session, _SCHEDULE_IF_ABSENT, tenant_id, kind, subject_id, due_at)


async def cancel(session: AsyncSession, kind: str, subject_id: UUID) -> None:
    await driver.execute(session, _CANCEL, kind, subject_id)


async def cancel_many(session: AsyncSession, kind: str, subject_ids: Sequence[UUID]) -> None:
    if subject_ids:
        await driver.execute(session, _CANCEL_MANY, kind, list(subject_ids))


async def due_at(session: AsyncSession, kind: str, subject_id: UUID) -> datetime | None:
    found: datetime | None = await driver.fetchval(session, _NEXT, kind, subject_id)
    return found


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, kinds: Sequence[str]
) -> list[DueTimer]:
    """Due timers of the given kinds (others are someone else's: a lease, another loop)."""
    rows = await driver.fetch(session, _CLAIM, now, list(kinds), limit)
    return sorted((DueTimer(*r) for r in rows), key=lambda t: t.due_at)


async def lease_due(
    session: AsyncSession, kind: str, now: datetime, until: datetime, limit: int
) -> list[DueTimer]:
    """Due timers of one kind, moved to `until` (the lease) in this transaction; the worker
    cancels or reschedules each when done, and an abandoned one comes due again at `until`."""
    rows = await driver.fetch(session, _LEASE, until, kind, now, limit)
    return [DueTimer(*r) for r in rows]
