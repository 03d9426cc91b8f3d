"""Claiming due SLA timers across districts: whichever replica gets a row first owns it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Deleting is claiming: the rows vanish with the transaction that handles them, or come back
# if it rolls back. SKIP LOCKED lets several sweepers share the work without waiting.
_CLAIM = text(
    "DELETE FROM sla_timers WHERE id IN ("
    " SELECT id FROM sla_timers WHERE due_at <= :now ORDER BY due_at LIMIT :limit"
    " FOR UPDATE SKIP LOCKED)"
    " RETURNING tenant_id, ticket_id, clock, kind, due_at, commitment_id"
)


@dataclass(frozen=True, slots=True)
class DueTimer:
    tenant_id: UUID
    ticket_id: UUID
    clock: str
    kind: str
    due_at: datetime
    commitment_id: UUID | None = None


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[DueTimer]:
    rows = await session.execute(_CLAIM, {"now": now, "limit": limit})
    return sorted((DueTimer(*r) for r in rows), key=lambda t: (t.due_at, t.kind))
