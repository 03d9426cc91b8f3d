"""The one way a service builds its SQLAlchemy engine (asyncpg driver)."""

from __future__ import annotations

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


def create_engine(
    dsn: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    application_name: str = "civicgrid",
    pool_pre_ping: bool = True,
) -> AsyncEngine:
    """An asyncpg-backed engine for a plain ``postgresql://`` DSN.

    ``application_name`` shows up in ``pg_stat_activity``, which is how an operator tells the
    relay, the consumers and the API of one service apart on a shared server.
    ``pool_pre_ping`` costs one round trip per checkout; it turns a connection killed by a
    server restart or failover into a fresh one instead of a failed request.
    """
    return create_async_engine(
        asyncpg_url(dsn),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pool_pre_ping,
        connect_args={"server_settings": {"application_name": application_name}},
    )
