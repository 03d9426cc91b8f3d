"""Which tenant the current transaction acts for, as PostgreSQL sees it.

Row-level security policies (see ``rls.py``) compare each row's tenant with the setting bound
here. The setting is transaction-local (``set_config(..., true)``), so it vanishes at commit or
rollback and can never leak to the next user of a pooled connection.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

TENANT_SETTING = "app.tenant_id"

_BIND_TENANT = text(f"SELECT set_config('{TENANT_SETTING}', :tenant_id, true)")
# The same, for the driver's connection (once SQLAlchemy has begun the transaction).
BIND_TENANT_SQL = f"SELECT set_config('{TENANT_SETTING}', $1, true)"


async def bind_tenant(executor: AsyncSession | AsyncConnection, tenant_id: UUID | None) -> None:
    """Bind ``tenant_id`` for the rest of the current transaction; None binds no tenant.

    With no tenant bound the policies compare against NULL, so tenant rows are neither visible
    nor writable: forgetting to bind fails closed.
    """
    value = "" if tenant_id is None else str(tenant_id)
    await executor.execute(_BIND_TENANT, {"tenant_id": value})
