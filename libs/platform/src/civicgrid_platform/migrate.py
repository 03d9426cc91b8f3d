"""Alembic, driven from code: each service keeps its own migrations folder and calls these.

The URL comes from settings (the owner DSN), never from an alembic.ini, so one image migrates
whichever database its settings name (a Helm hook Job in Kubernetes, `migrate` locally).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from civicgrid_platform.db.engine import asyncpg_url


def alembic_config(script_location: Path, dsn: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["dsn"] = asyncpg_url(dsn)
    return config


def upgrade(script_location: Path, dsn: str, revision: str = "head") -> None:
    """Run migrations; safe to call from inside a running event loop (runs in a thread)."""
    config = alembic_config(script_location, dsn)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, revision)
        return
    errors: list[BaseException] = []

    def work() -> None:
        try:
            command.upgrade(config, revision)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode only: we always have a DB)."""
    dsn = context.config.attributes["dsn"]

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            # One migrator at a time even when several pods start together.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7236001)")
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(dsn, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(main())
