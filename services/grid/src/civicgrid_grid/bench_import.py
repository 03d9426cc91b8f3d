"""Benchmark of a district import and of the index rebuild, against a real PostgreSQL.

    python -m civicgrid_grid.bench_import --owner-dsn DSN --runtime-dsn DSN
        [--grids 100000] [--full-grids 20000] [--points 2000] [--points-out FILE]

Migrates the database, then imports through the import use case (the code behind
POST /v1/districts/import, without the HTTP body parsing) and prints ONE JSON object:
- areas_*: the map layer of a district of --grids grids (district, streets, communities,
  grids): features, validate_seconds (parse and every import rule), total_seconds (validation,
  the write by COPY, one outbox event per unit, commit), tenant_id;
- full_*: a whole district of --full-grids grids with compounds, buildings, units and
  households: features, total_seconds, features_per_second;
- rebuild_seconds: a fresh replica's index of the --grids district, loaded from the database
  and built (what each district costs at start).
--points-out writes random points inside that district as [{"lat": .., "lon": ..}, ...]: the
request messages of a ResolvePoint load test (ghz reads them round-robin).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from civicgrid_grid.__main__ import MIGRATIONS
from civicgrid_grid.demo_data import generate_district
from civicgrid_grid.domain import geojson_import
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.import_district import import_district
from civicgrid_grid.usecases.resolve import DistrictIndexes
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owner-dsn", required=True)
    parser.add_argument("--runtime-dsn", required=True)
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--full-grids", type=int, default=20_000)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--points-out", type=Path)
    args = parser.parse_args(argv)
    upgrade(MIGRATIONS, args.owner_dsn)
    result = asyncio.run(run(args))
    sys.stdout.write(json.dumps(result) + "\n")


def _admin(tenant_id: str) -> Principal:
    return Principal(
        subject="bench",
        tenant_id=tenant_id,
        roles=frozenset({"tenant_admin"}),
        bindings=(),
        scopes=frozenset(),
        kind="person",
        token_id="bench",
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    engine = create_engine(args.runtime_dsn, pool_size=2)
    ctx = GridContext(uow=UnitOfWorkFactory(engine))
    try:
        areas = generate_district(grids=args.grids, areas_only=True)
        if args.points_out:
            args.points_out.write_text(json.dumps(_points_in(areas, args.points)))
        areas_tenant = str(uuid.uuid4())
        started = time.perf_counter()
        geojson_import.import_district(areas)  # the validation alone, timed on its own
        validated = time.perf_counter()
        await import_district(ctx, _admin(areas_tenant), areas)
        areas_total = time.perf_counter() - validated
        areas_features = len(areas["features"])
        del areas

        full = generate_district(grids=args.full_grids, seed=8)
        t0 = time.perf_counter()
        await import_district(ctx, _admin(str(uuid.uuid4())), full)
        full_total = time.perf_counter() - t0

        t0 = time.perf_counter()
        index = (await DistrictIndexes(ctx).for_tenant(uuid.UUID(areas_tenant))).index
        rebuild = time.perf_counter() - t0
        return {
            "areas_grids": len(index),
            "areas_features": areas_features,
            "areas_validate_seconds": round(validated - started, 2),
            "areas_total_seconds": round(areas_total, 2),
            "areas_tenant_id": areas_tenant,
            "full_grids": args.full_grids,
            "full_features": len(full["features"]),
            "full_total_seconds": round(full_total, 2),
            "full_features_per_second": round(len(full["features"]) / full_total),
            "rebuild_seconds": round(rebuild, 2),
        }
    finally:
        await engine.dispose()


def _points_in(doc: dict[str, Any], n: int) -> list[dict[str, float]]:
    district = shapely.from_geojson(
        json.dumps(
            next(f for f in doc["features"] if f["properties"]["kind"] == "district")["geometry"]
        )
    )
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = district.bounds
    found: list[dict[str, float]] = []
    while len(found) < n:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), (2 * n, 2))
        inside = xy[shapely.contains_xy(district, xy[:, 0], xy[:, 1])]
        found += [{"lat": lat, "lon": lon} for lon, lat in inside.tolist()]
    return found[:n]


if __name__ == "__main__":
    main()
