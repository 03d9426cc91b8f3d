"""The schema: every tenant table under forced row-level security, whoever connects."""

from __future__ import annotations

import pytest

from civicgrid_notifications.db.tables import TENANT_TABLES, metadata
from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.rls import assert_tenant_tables_protected

pytestmark = pytest.mark.integration

# Cross-tenant by nature: the relay, the inbox, idempotency keys (scoped in their key) and the
# timers (each row carries its tenant; handlers re-bind it).
CROSS_TENANT = ("event_outbox", "event_inbox", "idempotency_keys", "timers")


async def test_notifications_every_tenant_table_has_forced_row_level_security(
    notifications_db: ServiceDatabase,
) -> None:
    assert set(metadata.tables) - set(CROSS_TENANT) == set(TENANT_TABLES)
    await assert_tenant_tables_protected(notifications_db.owner_dsn, metadata.tables, CROSS_TENANT)
