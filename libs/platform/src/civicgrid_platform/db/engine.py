"""The one way a service builds its SQLAlchemy engine (asyncpg driver)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def asyncpg_url(dsn: str) -> str:
    """Settings and the test kit give plain postgresql:// DSNs; SQLAlchemy wants the driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if dsn.startswith(prefix):
            return "postgresql+asyncpg://" + dsn[len(prefix) :]
    raise ValueError("database DSN must start with postgresql://")


async def ping(engine: AsyncEngine) -> None:
    """A real round trip: the readiness check every service registers for its database."""
    async with engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")


# Statements each connection keeps prepared. A service with more distinct statements than the
# driver's default of 100 (notifications: consumer, dispatch, alerts, webhooks) evicted and
# prepared them again, a round trip and a parse on the server each time (py-spy, `make bench`).
PREPARED_STATEMENTS = 500


def create_engine(
    dsn: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    application_name: str = "civicgrid",
    pool_pre_ping: bool = False,
) -> AsyncEngine:
    """An asyncpg-backed engine for a plain ``postgresql://`` DSN.

    ``application_name`` shows up in ``pg_stat_activity``, which is how an operator tells the
    relay, the consumers and the API of one service apart on a shared server.
    A connection the server closed (a restart, a failover, an administrator's
    pg_terminate_backend) is dropped at checkout for a fresh one, instead of failing a request:
    asyncpg learns of the close as soon as the event loop reads it, so looking costs nothing.
    ``pool_pre_ping`` would also catch a connection that died silently, but costs three round
    trips per checkout (asyncpg's ping opens and rolls back a transaction), a quarter of a
    busy write path's time.
    """
    engine = create_async_engine(
        asyncpg_url(dsn),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pool_pre_ping,
        connect_args={
            "server_settings": {"application_name": application_name},
            "prepared_statement_cache_size": PREPARED_STATEMENTS,
        },
    )
    event.listen(engine.sync_engine, "checkout", _drop_if_closed)
    return engine


def _drop_if_closed(dbapi_connection: Any, record: object, proxy: object) -> None:
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")  # the pool retries
