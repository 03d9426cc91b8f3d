"""COPY-speed inserts inside a unit of work's transaction.

A statement per row (even batched by executemany) costs a round trip's worth of work per row on
the server; binary COPY streams rows at a small fraction of that. PostgreSQL refuses COPY FROM
into a table under row-level security, so such tables are filled through a transaction-local
staging table and one INSERT … SELECT, which still checks every row against the tenant policy.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

_ROW_SECURITY = text("SELECT relrowsecurity FROM pg_class WHERE oid = CAST(:name AS regclass)")
_stage_numbers = itertools.count(1)


async def copy_rows(
    session: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction.

    Values are what asyncpg encodes in binary: UUID, datetime, str for json/jsonb, lists for
    arrays. Rows may be an async iterable, so producing them overlaps with the server's work.
    """
    connection = await driver_connection(session)
    secured = await session.scalar(_ROW_SECURITY, {"name": table.name})
    if not secured:
        await connection.copy_records_to_table(table.name, records=rows, columns=list(columns))
        return
    stage = f"civicgrid_stage_{next(_stage_numbers)}"
    column_list = ", ".join(f'"{c}"' for c in columns)
    # Just the columns being written, their types and nothing else (no constraints, no defaults).
    await connection.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
        f'SELECT {column_list} FROM "{table.name}" WITH NO DATA'
    )
    await connection.copy_records_to_table(stage, records=rows, columns=list(columns))
    # Names come from the service's own Table and our counter, never from input.
    insert = f'INSERT INTO "{table.name}" ({column_list}) SELECT {column_list} FROM {stage}'  # noqa: S608
    await connection.execute(insert)
    await connection.execute(f"DROP TABLE {stage}")


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside the session's open transaction (for
    reads of 10^5 rows, where SQLAlchemy's row processing costs more than the query)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection
