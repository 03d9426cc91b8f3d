"""Row-level security as the runtime role sees it: another tenant's rows do not exist for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from civicgrid_platform.db.tenancy import bind_tenant
from civicgrid_platform.db.uow import UnitOfWorkFactory
from libs.platform.tests.integration.events_support_infra import (
    THINGS,
    Database,
    create_database,
)

pytestmark = pytest.mark.integration

TENANT_A = UUID("aaaaaaaa-0000-4000-8000-000000000001")
TENANT_B = UUID("bbbbbbbb-0000-4000-8000-000000000002")


@pytest.fixture(scope="module")
async def database(postgres: object) -> AsyncIterator[Database]:
    db = await create_database(postgres, "rls")
    uows = UnitOfWorkFactory(db.runtime)
    for tenant, names in ((TENANT_A, ["a1", "a2"]), (TENANT_B, ["b1"])):
        async with uows(tenant_id=tenant) as uow:
            for name in names:
                await uow.session.execute(
                    THINGS.insert().values(id=uuid4(), tenant_id=tenant, name=name)
                )
            await uow.commit()
    yield db
    await db.dispose()


@pytest.fixture
def uows(database: Database) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(database.runtime)


async def _names(uows: UnitOfWorkFactory, tenant: UUID | None, sql: str) -> list[str]:
    async with uows(tenant_id=tenant) as uow:
        return list((await uow.session.execute(text(sql))).scalars())


async def test_a_raw_select_sees_only_the_bound_tenants_rows(uows: UnitOfWorkFactory) -> None:
    # No WHERE clause on purpose: only the policy stands between tenants here.
    assert sorted(await _names(uows, TENANT_A, "SELECT name FROM things")) == ["a1", "a2"]
    assert await _names(uows, TENANT_B, "SELECT name FROM things") == ["b1"]


async def test_with_no_tenant_bound_no_tenant_rows_are_visible(uows: UnitOfWorkFactory) -> None:
    assert await _names(uows, None, "SELECT name FROM things") == []


async def test_inserting_a_row_for_another_tenant_is_refused(uows: UnitOfWorkFactory) -> None:
    with pytest.raises(DBAPIError, match="row-level security"):
        async with uows(tenant_id=TENANT_A) as uow:
            await uow.session.execute(
                THINGS.insert().values(id=uuid4(), tenant_id=TENANT_B, name="smuggled")
            )
    assert await _names(uows, TENANT_B, "SELECT name FROM things") == ["b1"]


async def test_another_tenants_rows_cannot_be_changed_or_deleted(uows: UnitOfWorkFactory) -> None:
    async with uows(tenant_id=TENANT_A) as uow:
        updated = await uow.session.execute(text("UPDATE things SET name = 'taken'"))
        deleted = await uow.session.execute(text("DELETE FROM things WHERE name = 'b1'"))
        assert (updated.rowcount, deleted.rowcount) == (2, 0)  # type: ignore[attr-defined]
        # Moving an own row to the other tenant is a write the policy checks, too.
        with pytest.raises(DBAPIError, match="row-level security"):
            await uow.session.execute(
                text("UPDATE things SET tenant_id = :other"), {"other": TENANT_B}
            )
    assert await _names(uows, TENANT_B, "SELECT name FROM things") == ["b1"]
    assert sorted(await _names(uows, TENANT_A, "SELECT name FROM things")) == ["a1", "a2"]


async def test_the_runtime_role_is_not_the_owner_and_cannot_bypass_rls(
    database: Database,
) -> None:
    async with database.runtime.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT r.rolsuper, r.rolbypassrls, t.tableowner = current_user "
                    "FROM pg_roles r, pg_tables t "
                    "WHERE r.rolname = current_user AND t.tablename = 'things'"
                )
            )
        ).one()
    assert tuple(row) == (False, False, False)


async def test_the_binding_ends_with_the_transaction(database: Database) -> None:
    """A pooled connection must not carry one request's tenant into the next."""
    engine = database.runtime
    async with engine.connect() as connection:
        async with connection.begin():
            await bind_tenant(connection, TENANT_A)
            assert (await connection.execute(text("SELECT count(*) FROM things"))).scalar() == 2
        async with connection.begin():
            assert (await connection.execute(text("SELECT count(*) FROM things"))).scalar() == 0
