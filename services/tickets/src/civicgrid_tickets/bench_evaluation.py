"""Benchmark of a month close against a real PostgreSQL.

    python -m civicgrid_tickets.bench_evaluation --owner-dsn DSN --runtime-dsn DSN
        [--tickets 1000000] [--grids 2000]

Migrates, writes a district's map (--grids grids in communities of 30 and streets of 6) and
--tickets tickets received in October 2026 across it with realistic outcomes (COPY, not timed),
then times closing the month: the rolled-up counts, scores, ranks, the stored snapshot and its
event. Prints ONE JSON object: tickets, units, seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from civicgrid_platform.auth import Principal
from civicgrid_platform.db.bulk import copy_rows
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_tickets.__main__ import MIGRATIONS
from civicgrid_tickets.db.tables import map_units, tickets
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.evaluation import close_month

OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)
_COLUMNS = (
    "id",
    "tenant_id",
    "number",
    "category",
    "priority",
    "status",
    "channel",
    "description",
    "grid_id",
    "ancestor_ids",
    "level",
    "highest_level",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "acknowledged_in_time",
    "resolved_at",
    "resolved_in_time",
    "rating",
    "reopen_count",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owner-dsn", required=True)
    parser.add_argument("--runtime-dsn", required=True)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=2000)
    args = parser.parse_args(argv)
    upgrade(MIGRATIONS, args.owner_dsn)
    result = asyncio.run(run(args.runtime_dsn, args.tickets, args.grids))
    sys.stdout.write(json.dumps(result) + "\n")


async def run(dsn: str, count: int, grids: int) -> dict[str, Any]:
    engine = create_engine(dsn, pool_size=2)
    try:
        tenant = uuid.uuid4()
        ctx = TicketsContext(
            uow=UnitOfWorkFactory(engine), clock=lambda: datetime(2026, 11, 2, tzinfo=UTC)
        )
        units = await _prepare(ctx, tenant, count, grids)
        admin = Principal(
            subject="bench",
            tenant_id=str(tenant),
            roles=frozenset({"tenant_admin"}),
            bindings=(),
            scopes=frozenset(),
            kind="person",
            token_id="bench",
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
        started = time.perf_counter()
        closed = await close_month(ctx, admin, "2026-10")
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {
        "tickets": count,
        "units": closed.units,
        "map_units": units,
        "seconds": round(seconds, 2),
    }


async def _prepare(ctx: TicketsContext, tenant: uuid.UUID, count: int, grids: int) -> int:
    rng = random.Random(5)
    district = uuid.uuid4()
    rows: list[tuple[Any, ...]] = [(district, tenant, "district", "370102", "区", None, [], 1)]
    chains: list[tuple[uuid.UUID, list[uuid.UUID]]] = []
    street = community = district
    for g in range(grids):
        if g % 180 == 0:
            street = uuid.uuid4()
            rows.append((street, tenant, "street", f"s{g}", "街道", district, [district], 1))
        if g % 30 == 0:
            community = uuid.uuid4()
            chain = [street, district]
            rows.append((community, tenant, "community", f"c{g}", "社区", street, chain, 1))
        grid = uuid.uuid4()
        chain = [community, street, district]
        rows.append((grid, tenant, "grid", f"g{g}", "网格", community, chain, 1))
        chains.append((grid, chain))
    columns = ("id", "tenant_id", "kind", "code", "name", "parent_id", "ancestor_ids", "version")
    async with ctx.uow(tenant_id=tenant) as uow:
        await copy_rows(uow.session, map_units, columns, rows)
        await copy_rows(uow.session, tickets, _COLUMNS, _tickets(tenant, count, chains, rng))
        await uow.commit()
    return len(rows)


def _tickets(
    tenant: uuid.UUID,
    count: int,
    chains: list[tuple[uuid.UUID, list[uuid.UUID]]],
    rng: random.Random,
) -> list[tuple[Any, ...]]:
    out = []
    for n in range(count):
        grid, chain = chains[rng.randrange(len(chains))]
        created = OCTOBER + timedelta(seconds=rng.randrange(31 * 86400))
        acknowledged = rng.random() < 0.95
        resolved = acknowledged and rng.random() < 0.85
        highest = "grid" if rng.random() < 0.8 else rng.choice(("community", "street"))
        rating = rng.randint(1, 5) if resolved and rng.random() < 0.6 else None
        out.append(
            (
                uuid.uuid4(),
                tenant,
                f"2026-{n:07d}",
                "roads",
                "P2",
                "closed" if resolved else "in_progress",
                "web",
                "bench",
                grid,
                chain,
                highest,
                highest,
                created,
                created,
                created + timedelta(hours=2) if acknowledged else None,
                rng.random() < 0.9 if acknowledged else None,
                created + timedelta(hours=rng.randint(3, 90)) if resolved else None,
                rng.random() < 0.8 if resolved else None,
                rating,
                1 if resolved and rng.random() < 0.05 else 0,
            )
        )
    return out


if __name__ == "__main__":
    main()
