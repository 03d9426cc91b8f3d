"""Proof that a service's tables are tenant-isolated by the database itself."""

from __future__ import annotations

from collections.abc import Collection

import asyncpg

_STATE = (
    "SELECT relname, relrowsecurity, relforcerowsecurity,"
    " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind = 'r'"
)


async def assert_tenant_tables_protected(
    owner_dsn: str, tables: Collection[str], exempt: Collection[str]
) -> None:
    """Every table of the model exists, and all but the exempt ones have ENABLE + FORCE
    row-level security with exactly one policy; every exemption names a real table."""
    connection = await asyncpg.connect(owner_dsn)
    try:
        rows = await connection.fetch(_STATE)
    finally:
        await connection.close()
    state = {
        r["relname"]: (r["relrowsecurity"], r["relforcerowsecurity"], r["policies"]) for r in rows
    }
    missing = set(tables) - set(state)
    assert not missing, f"the migrations lack tables the code uses: {sorted(missing)}"
    unprotected = {
        name: state[name]
        for name in tables
        if name not in exempt and state[name] != (True, True, 1)
    }
    assert unprotected == {}, f"tables without ENABLE+FORCE RLS and one policy: {unprotected}"
    # An exemption for a table the model no longer has would hide a stale exemption.
    assert set(exempt) <= set(tables), f"stale exemptions: {sorted(set(exempt) - set(tables))}"
