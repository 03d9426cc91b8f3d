"""Autogenerate a service's next migration against a scratch database at the current head.

    uv run python tooling/new_migration.py <service> <rev_id> "<message>"

Needs CIVICGRID_EXTERNAL_POSTGRES_DSN (make infra-up prints it). Row-level security and
triggers are not in the model: add them to the generated file by hand (enable_tenant_rls)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

from alembic import command

from civicgrid_platform.migrate import alembic_config, upgrade
from civicgrid_testkit.provisioning import provision_service_database


def main() -> None:
    service, rev_id, message = sys.argv[1:4]
    migrations = Path("services", service, "src", f"civicgrid_{service}", "migrations")
    admin = os.environ["CIVICGRID_EXTERNAL_POSTGRES_DSN"]
    db = asyncio.run(provision_service_database(admin, f"scratch_{uuid.uuid4().hex[:10]}"))
    upgrade(migrations, db.owner_dsn)
    config = alembic_config(migrations, db.owner_dsn)
    command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main()
