"""Statements sent straight through the driver (asyncpg) in a unit of work's transaction.

SQLAlchemy spends about 110 µs of CPU on a statement that asyncpg sends in about 50 µs
(measured on a prebuilt text statement); a hot path of tens of statements a request (an alert
press, a delivery attempt, a timer) spends most of its time there. The SQL is PostgreSQL's own,
with $1, $2 … parameters; asyncpg prepares each statement once per connection. Same connection,
same transaction, same tenant binding as the session's statements: row-level security applies.

A database error is raised as SQLAlchemy would have raised it (IntegrityError, DataError …,
the driver's error as `orig`), so every handler of the session's errors handles these too.

JSON, by the codecs SQLAlchemy's dialect sets on every connection: send text (json.dumps) to a
json or jsonb parameter; what you read arrives decoded (dicts, lists).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession

# session.info keys: a unit of work's session is one transaction on one connection, so the
# driver connection found once serves the whole unit of work; other sessions look every time.
PINNED = "civicgrid.pinned"
_CONNECTION = "civicgrid.driver"


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session: for reads of 10^5 rows, where SQLAlchemy's
    row processing costs more than the query, and for hot paths' statements.

    Only after a statement has gone through SQLAlchemy (a unit of work's tenant binding is
    one): SQLAlchemy begins the driver's transaction lazily, at its first statement, so what
    is sent here before that runs outside the transaction (and a transaction-local setting
    vanishes at once)."""
    info = session.info
    found = info.get(_CONNECTION)
    if found is not None:
        return found
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    if info.get(PINNED):
        info[_CONNECTION] = raw
    return raw


def unpin(session: AsyncSession) -> None:
    """The unit of work's transaction ended: the connection goes back to the pool."""
    session.info.pop(_CONNECTION, None)


async def fetch(session: AsyncSession, sql: str, *args: Any) -> list[Any]:
    """The rows (asyncpg Records: by position or by name)."""
    connection = await driver_connection(session)
    return list(await _run(connection.fetch, sql, args))


async def fetchrow(session: AsyncSession, sql: str, *args: Any) -> Any | None:
    connection = await driver_connection(session)
    return await _run(connection.fetchrow, sql, args)


async def fetchval(session: AsyncSession, sql: str, *args: Any) -> Any:
    connection = await driver_connection(session)
    return await _run(connection.fetchval, sql, args)


async def execute(session: AsyncSession, sql: str, *args: Any) -> str:
    """The server's status line ("UPDATE 1")."""
    connection = await driver_connection(session)
    status: str = await _run(connection.execute, sql, args)
    return status


async def executemany(session: AsyncSession, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """One statement for many argument rows, pipelined: one round trip for all."""
    connection = await driver_connection(session)
    await _run(connection.executemany, sql, (rows,))


# SQLSTATE class -> the SQLAlchemy error the session would have raised for it.
_ERRORS: dict[str, type[exc.DBAPIError]] = {
    "22": exc.DataError,
    "23": exc.IntegrityError,
    "42": exc.ProgrammingError,
    "0A": exc.NotSupportedError,
    "08": exc.OperationalError,
    "40": exc.OperationalError,
    "53": exc.OperationalError,
    "55": exc.OperationalError,
    "57": exc.OperationalError,
}


async def _run(method: Callable[..., Awaitable[Any]], sql: str, args: Sequence[Any]) -> Any:
    try:
        return await method(sql, *args)
    except asyncpg.PostgresError as error:
        kind = _ERRORS.get(str(error.sqlstate or "")[:2], exc.DatabaseError)
        raise kind(sql, args, error) from error
