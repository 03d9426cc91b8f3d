"""The schema: every tenant table under forced row-level security, and the hours ledger's
double entry kept by the database itself, whoever connects."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.rls import assert_tenant_tables_protected
from civicgrid_volunteers.db.tables import TENANT_TABLES, metadata

pytestmark = pytest.mark.integration

# Cross-tenant by nature: the relay, the inbox, idempotency keys (scoped in their key) and the
# timers (each row carries its tenant; handlers re-bind it).
CROSS_TENANT = ("event_outbox", "event_inbox", "idempotency_keys", "timers")


async def test_volunteers_every_tenant_table_has_forced_row_level_security(
    volunteers_db: ServiceDatabase,
) -> None:
    assert set(metadata.tables) - set(CROSS_TENANT) == set(TENANT_TABLES)
    await assert_tenant_tables_protected(volunteers_db.owner_dsn, metadata.tables, CROSS_TENANT)


async def _bound(dsn: str, tenant: uuid.UUID) -> asyncpg.Connection:
    connection = await asyncpg.connect(dsn)
    await connection.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant))
    return connection


async def test_volunteers_ledger_refuses_a_posting_that_does_not_balance(
    volunteers_db: ServiceDatabase,
) -> None:
    tenant = uuid.uuid4()
    connection = await _bound(volunteers_db.runtime_dsn, tenant)
    insert = (
        "INSERT INTO ledger_entries (tenant_id, posting_id, account, minutes, reason, worked_on)"
        " VALUES ($1, $2, $3, $4, 'correction', $5)"
    )
    now = datetime.now(UTC)
    try:
        posting = uuid.uuid4()
        with pytest.raises(asyncpg.CheckViolationError, match="does not balance"):
            async with connection.transaction():
                await connection.execute(insert, tenant, posting, "timebank", -60, now)
                await connection.execute(insert, tenant, posting, "volunteer:x", 50, now)
        balanced = uuid.uuid4()
        async with connection.transaction():
            await connection.execute(insert, tenant, balanced, "timebank", -60, now)
            await connection.execute(insert, tenant, balanced, "volunteer:x", 60, now)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="never changed"):
            await connection.execute("UPDATE ledger_entries SET minutes = 0")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="never changed"):
            await connection.execute("DELETE FROM ledger_entries")
        total = await connection.fetchval("SELECT sum(minutes) FROM ledger_entries")
        assert total == 0
    finally:
        await connection.close()
