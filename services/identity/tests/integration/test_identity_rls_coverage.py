"""Every identity table is tenant-isolated by the database itself unless declared platform-level."""

from __future__ import annotations

import asyncpg
import pytest

from civicgrid_identity.db.tables import PLATFORM_TABLES, metadata
from civicgrid_testkit import ServiceDatabase

pytestmark = pytest.mark.integration


async def test_every_tenant_table_has_forced_row_level_security(
    identity_db: ServiceDatabase, bootstrapped: object
) -> None:
    connection = await asyncpg.connect(identity_db.owner_dsn)
    try:
        rows = await connection.fetch(
            "SELECT relname, relrowsecurity, relforcerowsecurity,"
            " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
    finally:
        await connection.close()
    state = {
        r["relname"]: (r["relrowsecurity"], r["relforcerowsecurity"], r["policies"]) for r in rows
    }
    assert set(metadata.tables) <= set(state), "the migration lacks tables the code uses"
    unprotected = {
        name: state[name]
        for name in metadata.tables
        if name not in PLATFORM_TABLES and state[name] != (True, True, 1)
    }
    assert unprotected == {}, f"tables without ENABLE+FORCE RLS and one policy: {unprotected}"
    # A platform-level table that is not in the model any more would hide a stale exemption.
    assert PLATFORM_TABLES <= set(metadata.tables)
