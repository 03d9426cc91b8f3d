"""Which tenant the current transaction acts for, as PostgreSQL sees it.

Row-level security policies (see ``rls.py``) compare each row's tenant with the setting bound
here. The setting is transaction-local (``set_config(..., true)``), so it vanishes at commit or
rollback and can never leak to the next user of a pooled connection.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from civicgrid_platform.db import driver

TENANT_SETTING = "app.tenant_id"

_BIND_TENANT = text(f"SELECT set_config('{TENANT_SETTING}', :tenant_id, true)")
# The same through the driver, for binding again inside a begun transaction.
_REBIND_TENANT = f"SELECT set_config('{TENANT_SETTING}', $1, true)"


async def bind_tenant(executor: AsyncSession | AsyncConnection, tenant_id: UUID | None) -> None:
    """Bind ``tenant_id`` for the rest of the current transaction; None binds no tenant.

    With no tenant bound the policies compare against NULL, so tenant rows are neither visible
    nor writable: forgetting to bind fails closed.
    """
    await executor.execute(_BIND_TENANT, {"tenant_id": _setting(tenant_id)})


async def rebind_tenant(session: AsyncSession, tenant_id: UUID | None) -> None:
    """bind_tenant inside a transaction SQLAlchemy has begun, straight through the driver (a
    consumer's batch re-binds for every district it spans)."""
    await driver.execute(session, _REBIND_TENANT, _setting(tenant_id))


def _setting(tenant_id: UUID | None) -> str:
    return "" if tenant_id is None else str(tenant_id)
