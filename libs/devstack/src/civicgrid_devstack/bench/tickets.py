"""Tickets' figures, from its own benchmark processes (the dev stack never imports a service)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

from civicgrid_devstack.bench.grid import run_module
from civicgrid_devstack.bench.report import Figure
from civicgrid_testkit.provisioning import ServiceDatabase

# Replicas of the timers component, as Kubernetes would run them: the sweep claims rows with
# SKIP LOCKED so that they share the due timers, and one's database waits are the other's turn.
SWEEPERS = 2
_COUNTS = ("warnings", "breaches", "escalations")


async def bench_sla_sweep(db: ServiceDatabase, timers: int = 100_000) -> list[Figure]:
    await run_module(
        "civicgrid_tickets.bench_sla",
        "prepare",
        "--owner-dsn",
        db.owner_dsn,
        "--runtime-dsn",
        db.runtime_dsn,
        "--timers",
        str(timers),
    )
    runs = await asyncio.to_thread(_sweepers, db.runtime_dsn)
    seconds = max(r["seconds"] for r in runs)
    warnings, breaches, escalations = (sum(r[k] for r in runs) for k in _COUNTS)
    if warnings + breaches != timers:
        raise RuntimeError(f"the sweepers handled {warnings + breaches} of {timers} timers")
    return [
        Figure(
            "SLA timer sweep",
            f"{seconds:.1f} s ({timers / seconds:,.0f}/s)",
            "100k due timers <= 10 s",
            f"{timers:,} due timers: {warnings:,} warnings, {breaches:,} breaches, "
            f"{escalations:,} climbing a level; batches of {runs[0]['batch']:,} claimed with "
            f"SKIP LOCKED by {SWEEPERS} replicas of the timers component at once",
        )
    ]


def _sweepers(runtime_dsn: str) -> list[dict[str, Any]]:
    """SWEEPERS sweep processes, released together once each has started (blocking)."""
    command = [sys.executable, "-m", "civicgrid_tickets.bench_sla", "sweep"]
    processes = [
        subprocess.Popen(
            [*command, "--runtime-dsn", runtime_dsn],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(SWEEPERS)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a sweeper did not start")
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=300)[0] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    if any(p.returncode for p in processes):
        raise RuntimeError("a sweeper failed")
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


async def bench_month_close(db: ServiceDatabase, tickets: int = 1_000_000) -> list[Figure]:
    r = await run_module(
        "civicgrid_tickets.bench_evaluation",
        "--owner-dsn",
        db.owner_dsn,
        "--runtime-dsn",
        db.runtime_dsn,
        "--tickets",
        str(tickets),
    )
    return [
        Figure(
            "month close (evaluation)",
            f"{r['seconds']:.1f} s",
            "1M tickets <= 30 s",
            f"{r['tickets']:,} tickets in one district of {r['units']:,} units: roll-up, scores, "
            "ranks, snapshot, event",
        )
    ]
