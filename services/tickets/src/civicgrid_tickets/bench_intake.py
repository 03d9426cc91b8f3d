"""Support for the intake benchmark (make bench drives it; the dev stack never imports a service).

    python -m civicgrid_tickets.bench_intake prepare --owner-dsn DSN --runtime-dsn DSN
    python -m civicgrid_tickets.bench_intake bare --runtime-dsn DSN --port PORT

prepare: migrates and writes a district's map into tickets' read model (a lattice of 2,000
square grids under communities, a street and the district, as grid events would), then prints
ONE JSON object: tenant_id and the lattice (origin, step, side, grids).

bare: the yardstick — a FastAPI app whose POST /v1/tickets does only what intake must at the
least: read the JSON body and write the ticket row and its outbox row in one transaction. No
auth, routing, numbering, deadlines or history.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import shapely
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from civicgrid_platform.db.bulk import copy_rows
from civicgrid_platform.db.engine import asyncpg_url, create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_tickets.__main__ import MIGRATIONS
from civicgrid_tickets.db.tables import map_units

_MAP_COLUMNS = (
    "id",
    "tenant_id",
    "kind",
    "code",
    "name",
    "parent_id",
    "ancestor_ids",
    "version",
    "geometry_wkb",
    "bbox",
)
ORIGIN = (117.0, 36.6)
STEP = 0.003  # about 270 m x 330 m
SIDE = 45  # 45 x 45 lattice, of which the first GRIDS cells are grids
GRIDS = 2000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare")
    prepare.add_argument("--owner-dsn", required=True)
    prepare.add_argument("--runtime-dsn", required=True)
    bare = sub.add_parser("bare")
    bare.add_argument("--runtime-dsn", required=True)
    bare.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        upgrade(MIGRATIONS, args.owner_dsn)
        sys.stdout.write(json.dumps(asyncio.run(_prepare(args.runtime_dsn, args.owner_dsn))) + "\n")
        return
    uvicorn.run(_bare_app(args.runtime_dsn), host="127.0.0.1", port=args.port, log_level="warning")


async def _prepare(dsn: str, owner_dsn: str) -> dict[str, Any]:
    tenant = uuid.uuid4()
    district, street = uuid.uuid4(), uuid.uuid4()
    rows: list[tuple[Any, ...]] = [
        (district, tenant, "district", "370102", "区", None, [], 1, None, None),
        (street, tenant, "street", "370102001", "街道", district, [district], 1, None, None),
    ]
    community = street
    for n in range(GRIDS):
        if n % 30 == 0:
            community = uuid.uuid4()
            chain = [street, district]
            code = f"370102001{n // 30 + 1:03d}"
            rows.append(
                (community, tenant, "community", code, "社区", street, chain, 1, None, None)
            )
        x, y = ORIGIN[0] + STEP * (n % SIDE), ORIGIN[1] + STEP * (n // SIDE)
        cell = shapely.box(x, y, x + STEP, y + STEP)
        box = asyncpg.Box((x + STEP, y + STEP), (x, y))
        chain = [community, street, district]
        code = f"370102001{n // 30 + 1:03d}{n % 30 + 1:03d}"
        shape = shapely.to_wkb(cell)
        rows.append((uuid.uuid4(), tenant, "grid", code, "网格", community, chain, 1, shape, box))
    engine = create_engine(dsn, pool_size=1)
    try:
        async with UnitOfWorkFactory(engine)(tenant_id=tenant) as uow:
            await copy_rows(
                uow.session,
                map_units,
                _MAP_COLUMNS,
                rows,
            )
            await uow.commit()
    finally:
        await engine.dispose()
    # As after any bulk load: the planner's statistics, so the first minute of load is not
    # planned for an empty map (autovacuum would gather them, later).
    connection = await asyncpg.connect(owner_dsn)
    try:
        await connection.execute("ANALYZE map_units")
    finally:
        await connection.close()
    return {
        "tenant_id": str(tenant),
        "origin_lon": ORIGIN[0],
        "origin_lat": ORIGIN[1],
        "step": STEP,
        "side": SIDE,
        "grids": GRIDS,
    }


class _Body(BaseModel):
    category: str
    description: str
    lat: float
    lon: float


_TICKET = (
    "INSERT INTO tickets (id, tenant_id, number, category, priority, status, channel,"
    " description, lat, lon, ancestor_ids, level, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, 'P2', 'submitted', 'web', $5, $6, $7, '{}', 'grid', $8, $8)"
)
_OUTBOX = (
    "INSERT INTO event_outbox (event_id, topic, key, headers, payload, tenant_id)"
    " VALUES ($1, 'civicgrid.tickets.v1', $2, '{}', $3, $4)"
)


def _bare_app(dsn: str) -> FastAPI:
    app = FastAPI()
    pools: list[asyncpg.Pool] = []
    tenant = uuid.uuid4()

    @app.on_event("startup")
    async def start() -> None:
        pools.append(
            await asyncpg.create_pool(asyncpg_url(dsn).replace("+asyncpg", ""), max_size=10)
        )

    @app.post("/v1/tickets", status_code=201)
    async def create(body: _Body) -> dict[str, str]:
        ticket_id = uuid.uuid4()
        async with pools[0].acquire() as connection, connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
            now = datetime.now(UTC)
            number = ticket_id.hex[:12]
            await connection.execute(
                _TICKET,
                ticket_id,
                tenant,
                number,
                body.category,
                body.description,
                body.lat,
                body.lon,
                now,
            )
            await connection.execute(_OUTBOX, uuid.uuid4(), str(ticket_id), b"", tenant)
        return {"id": str(ticket_id)}

    return app


if __name__ == "__main__":
    main()
