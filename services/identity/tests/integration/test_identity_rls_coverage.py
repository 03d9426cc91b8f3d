"""Every identity table is tenant-isolated by the database itself unless declared platform-level."""

from __future__ import annotations

import pytest

from civicgrid_identity.db.tables import PLATFORM_TABLES, metadata
from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.rls import assert_tenant_tables_protected

pytestmark = pytest.mark.integration


async def test_every_tenant_table_has_forced_row_level_security(
    identity_db: ServiceDatabase, bootstrapped: object
) -> None:
    await assert_tenant_tables_protected(identity_db.owner_dsn, metadata.tables, PLATFORM_TABLES)
