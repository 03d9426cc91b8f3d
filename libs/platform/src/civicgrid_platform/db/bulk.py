"""COPY-speed writes inside a unit of work's transaction.

A statement per row (even batched by executemany) costs a round trip's worth of work per row on
the server; binary COPY streams rows at a small fraction of that. PostgreSQL refuses COPY FROM
into a table under row-level security, so such tables are filled through a transaction-local
staging table and one INSERT … SELECT (or UPDATE … FROM), which still checks every row against
the tenant policy.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeGuard

from sqlalchemy import ARRAY, Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.db.driver import driver_connection

_ROW_SECURITY = text("SELECT relrowsecurity FROM pg_class WHERE oid = CAST(:name AS regclass)")
_stage_numbers = itertools.count(1)

Rows = Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]]


async def copy_rows(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Rows
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction.

    Values are what asyncpg encodes in binary: UUID, datetime, str for json/jsonb, lists for
    arrays. Rows may be an async iterable, so producing them overlaps with the server's work.
    """
    connection = await driver_connection(session)
    names = _names(columns)
    if _few(rows, table, columns):
        source, arrays = _unnest(table, columns, rows)
        await connection.execute(f'INSERT INTO "{table.name}" ({names}) {source}', *arrays)
        return
    if not await session.scalar(_ROW_SECURITY, {"name": table.name}):
        await connection.copy_records_to_table(table.name, records=rows, columns=list(columns))
        return
    stage = await _stage(connection, table, columns, rows)
    # Names come from the service's own Table and our counter, never from input.
    await connection.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage}')  # noqa: S608
    await connection.execute(f"DROP TABLE {stage}")


async def insert_new_rows(
    session: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: Rows,
    *,
    conflict: str,
    returning: str,
) -> list[Any]:
    """Insert ``rows`` except those that clash with constraint ``conflict``; the ``returning``
    column of those inserted. Through a COPY-filled staging table, so many rows cost one
    statement each way and row-level security checks every one."""
    connection = await driver_connection(session)
    names = _names(columns)
    clash = f' ON CONFLICT ON CONSTRAINT "{conflict}" DO NOTHING RETURNING "{returning}"'
    if _few(rows, table, columns):
        source, arrays = _unnest(table, columns, rows)
        inserted = await connection.fetch(
            f'INSERT INTO "{table.name}" ({names}) {source}{clash}',
            *arrays,
        )
        return [row[0] for row in inserted]
    stage = await _stage(connection, table, columns, rows)
    # Names come from the service's own Table and our counter, never from input.
    inserted = await connection.fetch(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage}{clash}'  # noqa: S608
    )
    await connection.execute(f"DROP TABLE {stage}")
    return [row[0] for row in inserted]


async def update_rows(
    session: AsyncSession, table: Table, key: str, columns: Sequence[str], rows: Rows
) -> None:
    """Set ``columns`` of many rows at once; rows are (key value, *column values)."""
    connection = await driver_connection(session)
    stage = await _stage(connection, table, [key, *columns], rows)
    assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns)
    await connection.execute(
        f'UPDATE "{table.name}" t SET {assignments} FROM {stage} s WHERE t."{key}" = s."{key}"'  # noqa: S608
    )
    await connection.execute(f"DROP TABLE {stage}")


async def _stage(connection: Any, table: Table, columns: Sequence[str], rows: Rows) -> str:
    """A transaction-local table of just these columns (no constraints), filled by COPY."""
    stage = f"civicgrid_stage_{next(_stage_numbers)}"
    await connection.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
        f'SELECT {_names(columns)} FROM "{table.name}" WITH NO DATA'
    )
    await connection.copy_records_to_table(stage, records=rows, columns=list(columns))
    return stage


# Up to this many rows go in one INSERT … SELECT FROM unnest(arrays): one round trip, where the
# staging table costs four (create, copy, insert, drop), which a handful of rows (an alert's
# messages) paid on every press. Past it, COPY's binary stream is cheaper (`make bench`).
FEW_ROWS = 64


def _few(rows: Rows, table: Table, columns: Sequence[str]) -> TypeGuard[Sequence[Sequence[Any]]]:
    """Few enough rows for unnest, and no array column (unnest would flatten its values)."""
    return (
        isinstance(rows, Sequence)
        and len(rows) <= FEW_ROWS
        and not any(isinstance(table.c[c].type, ARRAY) for c in columns)
    )


def _unnest(
    table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[list[Any]]]:
    """``SELECT * FROM unnest($1::type[], …)`` over the rows' columns, and those columns."""
    types = [_array_type(table, column) for column in columns]
    arrays = [list(values) for values in zip(*rows, strict=True)] or [[] for _ in columns]
    params = ", ".join(f"${n}::{t}[]" for n, t in enumerate(types, start=1))
    return f"SELECT * FROM unnest({params})", arrays  # noqa: S608 - types from our own Table


@lru_cache(maxsize=1024)
def _array_type(table: Table, column: str) -> str:
    return str(table.c[column].type.compile(dialect=postgresql.dialect()))


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


async def prefer_hash_joins(session: AsyncSession) -> None:
    """For the rest of the transaction, plan no nested loops. A bulk read right after a bulk
    load runs before autovacuum has gathered statistics; a nested loop planned for "1 row" over
    10^5 rows is then quadratic, while a hash join is right at any size."""
    await session.execute(text("SET LOCAL enable_nestloop = off"))
