"""Tickets' figures, from its own benchmark processes (the dev stack never imports a service)."""

from __future__ import annotations

from civicgrid_devstack.bench.grid import run_module
from civicgrid_devstack.bench.report import Figure
from civicgrid_testkit.provisioning import ServiceDatabase


async def bench_sla_sweep(db: ServiceDatabase, timers: int = 100_000) -> list[Figure]:
    r = await run_module(
        "civicgrid_tickets.bench_sla",
        "--owner-dsn",
        db.owner_dsn,
        "--runtime-dsn",
        db.runtime_dsn,
        "--timers",
        str(timers),
    )
    return [
        Figure(
            "SLA timer sweep",
            f"{r['seconds']:.1f} s ({r['timers_per_second']:,}/s)",
            "100k due timers <= 10 s",
            f"{r['timers']:,} due timers: {r['warnings']:,} warnings, {r['breaches']:,} breaches "
            f"climbing a level; batches of {r['batch']:,}, one process",
        )
    ]


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
