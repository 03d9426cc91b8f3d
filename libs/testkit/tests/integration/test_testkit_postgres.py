"""The `postgres` fixture, service provisioning and row-level security against a real server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from civicgrid_testkit import unique_name
from civicgrid_testkit.postgres import LocalPostgres
from civicgrid_testkit.servers import PostgresServer

pytestmark = pytest.mark.integration


async def _fetchval(dsn: str, query: str, *args: object) -> object:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query, *args)
    finally:
        await connection.close()


async def test_fixture_gives_a_server_on_loopback_that_answers(postgres: PostgresServer) -> None:
    assert postgres.host == "127.0.0.1"
    assert postgres.admin_dsn.startswith("postgresql://postgres:")
    assert await _fetchval(postgres.admin_dsn, "SELECT 1") == 1
    assert await _fetchval(postgres.admin_dsn, "SHOW fsync") == "on"


async def test_provision_creates_owner_and_a_runtime_role_that_is_not_privileged(
    postgres: PostgresServer,
) -> None:
    name = unique_name("provision")
    database = await postgres.aprovision(name)

    assert database.name == name
    assert database.owner_dsn.startswith(f"postgresql://{name}_owner:")
    assert database.runtime_dsn.startswith(f"postgresql://{name}_app:")
    assert database.runtime_dsn.endswith(f"@127.0.0.1:{postgres.port}/{name}")
    admin = await asyncpg.connect(postgres.admin_dsn)
    try:
        owner = await admin.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
        )
        app = await admin.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcanlogin, rolcreatedb, rolcreaterole "
            "FROM pg_roles WHERE rolname = $1",
            f"{name}_app",
        )
    finally:
        await admin.close()
    assert owner == f"{name}_owner"
    assert app is not None
    assert dict(app) == {
        "rolsuper": False,
        "rolbypassrls": False,
        "rolcanlogin": True,
        "rolcreatedb": False,
        "rolcreaterole": False,
    }
    assert await _fetchval(database.runtime_dsn, "SELECT current_user") == f"{name}_app"


async def test_provision_again_returns_the_same_dsns(postgres: PostgresServer) -> None:
    name = unique_name("again")
    first = await postgres.aprovision(name)
    second = await postgres.aprovision(name)
    assert first == second
    assert await _fetchval(second.owner_dsn, "SELECT current_database()") == name


async def test_runtime_role_uses_tables_the_owner_creates_but_cannot_own_or_create(
    postgres: PostgresServer,
) -> None:
    database = await postgres.aprovision(unique_name("grants"))
    owner = await asyncpg.connect(database.owner_dsn)
    try:
        await owner.execute("CREATE TABLE note (id bigserial PRIMARY KEY, body text NOT NULL)")
    finally:
        await owner.close()

    app = await asyncpg.connect(database.runtime_dsn)
    try:
        await app.execute("INSERT INTO note (body) VALUES ('hello')")  # uses the sequence too
        await app.execute("UPDATE note SET body = 'changed'")
        assert await app.fetchval("SELECT body FROM note") == "changed"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("CREATE TABLE intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("DROP TABLE note")
    finally:
        await app.close()


async def test_runtime_role_sees_only_its_tenant_under_forced_rls(
    postgres: PostgresServer,
) -> None:
    database = await postgres.aprovision(unique_name("rls"))
    owner = await asyncpg.connect(database.owner_dsn)
    try:
        await owner.execute(
            """
            CREATE TABLE report (id serial PRIMARY KEY, tenant_id text NOT NULL, title text);
            ALTER TABLE report ENABLE ROW LEVEL SECURITY;
            ALTER TABLE report FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON report
              USING (tenant_id = current_setting('app.tenant_id', true))
              WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
            """
        )
        for tenant, title in [("north", "pothole"), ("north", "lamp"), ("south", "graffiti")]:
            async with owner.transaction():
                await owner.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
                await owner.execute(
                    "INSERT INTO report (tenant_id, title) VALUES ($1, $2)", tenant, title
                )
    finally:
        await owner.close()

    app = await asyncpg.connect(database.runtime_dsn)
    try:
        async with app.transaction():
            await app.execute("SELECT set_config('app.tenant_id', 'north', true)")
            titles = await app.fetch("SELECT title FROM report ORDER BY title")
            assert [row["title"] for row in titles] == ["lamp", "pothole"]
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await app.execute(
                    "INSERT INTO report (tenant_id, title) VALUES ('south', 'forged')"
                )
        assert await app.fetchval("SELECT count(*) FROM report") == 0  # no tenant bound
        # A role that could bypass RLS would get rows here; ours gets an error instead.
        await app.execute("SET row_security = off")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.fetch("SELECT * FROM report")
    finally:
        await app.close()


async def test_a_service_role_cannot_connect_to_another_services_database(
    postgres: PostgresServer,
) -> None:
    mine = await postgres.aprovision(unique_name("mine"))
    theirs = await postgres.aprovision(unique_name("theirs"))
    trespassing_dsn = mine.runtime_dsn.rsplit("/", 1)[0] + f"/{theirs.name}"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(trespassing_dsn)


async def test_sync_provision_works_inside_the_running_event_loop(
    postgres: PostgresServer,
) -> None:
    asyncio.get_running_loop()  # this test runs inside pytest-asyncio's loop
    database = postgres.provision(unique_name("sync"))
    assert await _fetchval(database.runtime_dsn, "SELECT 1") == 1


def test_data_survives_a_stop_and_a_start_on_the_same_directory(
    civicgrid_servers_dir: Path,
) -> None:
    server = LocalPostgres(civicgrid_servers_dir / unique_name("restart"))
    try:
        first = server.start()
        assert server.start().pid == first.pid  # already running: reused, not restarted
        asyncio.run(_write_marker(first.admin_dsn))
        server.stop()
        assert not server.is_running()
        with pytest.raises(OSError):
            asyncio.run(_fetchval(first.admin_dsn, "SELECT 1"))

        second = server.start()
        assert (second.port, second.password) == (first.port, first.password)
        assert second.pid != first.pid
        assert asyncio.run(_fetchval(second.admin_dsn, "SELECT note FROM marker")) == "kept"
    finally:
        server.stop()


async def _write_marker(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('kept')"
        )
    finally:
        await connection.close()
