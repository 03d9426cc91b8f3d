"""The grid registry's in-process index figures, from its own benchmark (run as a process, since
the dev stack never imports a service)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from civicgrid_devstack.bench.report import Figure


async def bench_grid_index(grids: int = 100_000) -> list[Figure]:
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "civicgrid_grid.bench_index", "--grids", str(grids)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"grid index benchmark failed:\n{done.stderr[-4000:]}")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    size = f"{r['grids']:,} grids"
    return [
        Figure(
            "ResolvePoint in process",
            f"p50 {r['resolve_p50_us']:.1f} µs, p99 {r['resolve_p99_us']:.1f} µs",
            "p99 <= 20 µs",
            f"{size}, {r['resolve_points']:,} random points in the district",
        ),
        Figure("grid index build", f"{r['build_seconds']:.2f} s", "<= 2 s", size),
        Figure("grid index memory", f"{r['index_memory_mb']:.0f} MB", "(stated)", size),
        Figure(
            "district validation",
            f"{r['validate_seconds']:.1f} s",
            "import <= 30 s",
            f"{size} ({r['features']:,} features), parse + every import rule, no database",
        ),
    ]
