"""SQL that a service's migration runs to put a table under tenant row-level security.

FORCE makes the policy apply to the table owner too; the runtime role is not the owner either,
so two independent mistakes are needed before a query can see another tenant's rows.
"""

from __future__ import annotations

import re

from civicgrid_platform.db.tenancy import TENANT_SETTING

POLICY_NAME = "tenant_isolation"

# Plain lower-case identifiers, optionally schema-qualified: these helpers build DDL by string
# formatting, so anything else is refused rather than quoted.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def _checked(identifier: str) -> str:
    if not _IDENTIFIER.fullmatch(identifier):
        raise ValueError(f"not a plain lower-case SQL identifier: {identifier!r}")
    return identifier


def tenant_predicate(column: str = "tenant_id") -> str:
    """The policy's condition: the row's tenant equals the tenant bound for this transaction.

    ``current_setting(..., true)`` yields NULL when the setting was never defined and ''
    after a transaction that bound it ended; NULLIF folds both to NULL, and a comparison with
    NULL is never true, so an unbound transaction sees and writes no tenant rows.
    """
    return f"{_checked(column)} = NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid"


def enable_tenant_rls(table: str, column: str = "tenant_id") -> list[str]:
    """Statements that enable and force RLS on ``table`` with one policy for all commands."""
    table = _checked(table)
    predicate = tenant_predicate(column)
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY_NAME} ON {table} USING ({predicate}) WITH CHECK ({predicate})",
    ]


def disable_tenant_rls(table: str) -> list[str]:
    """The reverse of ``enable_tenant_rls``, for a migration's downgrade."""
    table = _checked(table)
    return [
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]
