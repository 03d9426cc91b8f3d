"""docker/postgres/init-civicgrid.sh gives a service the database and roles the code expects:
run against the real server for a throwaway service name, then a real service's migrations run
as its owner role and the runtime role meets row-level security it cannot bypass."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from civicgrid_testkit import unique_name
from civicgrid_testkit.provisioning import dsn_for
from tests.images.images_support import ROOT

pytestmark = pytest.mark.integration

PASSWORD = "compose-init-test-password"


def _psql(admin_dsn: str, sql: str) -> None:
    subprocess.run(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", admin_dsn, "-c", sql],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def provisioned(postgres: Any) -> Iterator[str]:
    """Runs the init script as the postgres image's entrypoint would, for one new name."""
    name = unique_name("initsh")
    admin = urlsplit(postgres.admin_dsn)
    env = {
        **os.environ,
        "PGHOST": admin.hostname or "127.0.0.1",
        "PGPORT": str(admin.port or 5432),
        "PGPASSWORD": admin.password or "",
        "POSTGRES_USER": admin.username or "postgres",
        "POSTGRES_DB": admin.path.lstrip("/") or "postgres",
        "CIVICGRID_SERVICES": name,
        "CIVICGRID_DB_PASSWORD": PASSWORD,
    }
    done = subprocess.run(
        ["bash", str(ROOT / "docker" / "postgres" / "init-civicgrid.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    yield name
    database = f"civicgrid_{name}"
    _psql(postgres.admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    for role in (f"{database}_app", f"{database}_owner"):
        _psql(postgres.admin_dsn, f'DROP ROLE IF EXISTS "{role}"')


async def test_images_postgres_init_roles_fit_migrations_and_row_level_security(
    postgres: Any, provisioned: str
) -> None:
    database = f"civicgrid_{provisioned}"
    owner = dsn_for(postgres.admin_dsn, f"{database}_owner", PASSWORD, database)
    runtime = dsn_for(postgres.admin_dsn, f"{database}_app", PASSWORD, database)

    # A real service's migrations, as the <service>-migrate one-shot runs them.
    migrated = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "civicgrid_volunteers", "migrate"],
        env={
            **os.environ,
            "CIVICGRID_DATABASE_MIGRATE_URL": owner,
            "CIVICGRID_DATABASE_URL": runtime,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr[-4000:]

    connection = await asyncpg.connect(runtime)
    try:
        role = await connection.fetchrow(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        assert (role["rolsuper"], role["rolbypassrls"]) == (False, False)
        forced = await connection.fetch(
            "SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relforcerowsecurity"
        )
        assert forced, "the migrations created no table under FORCE ROW LEVEL SECURITY"
        assert {row["owner"] for row in forced} == {f"{database}_owner"}
        # The runtime role may read the owner's tables (default privileges) but, with no tenant
        # bound, row-level security shows it nothing.
        table = forced[0]["relname"]
        count = f'SELECT count(*) FROM "{table}"'  # noqa: S608 (a name from the catalogue)
        assert await connection.fetchval(count) == 0
    finally:
        await connection.close()

    # No other role may even connect: CONNECT is not granted to PUBLIC.
    other = unique_name("initsh_other")
    _psql(postgres.admin_dsn, f"CREATE ROLE \"{other}\" LOGIN PASSWORD '{PASSWORD}'")
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(dsn_for(postgres.admin_dsn, other, PASSWORD, database))
    finally:
        _psql(postgres.admin_dsn, f'DROP ROLE "{other}"')
