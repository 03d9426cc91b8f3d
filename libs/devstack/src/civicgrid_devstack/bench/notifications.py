"""The notifications service's figures: events turned into stored in-app messages by one
consumer process, and webhook dispatch to a local receiver. Notifications code runs in its own
processes (run_module)."""

from __future__ import annotations

from civicgrid_devstack.bench.grid import run_module
from civicgrid_devstack.bench.report import Figure
from civicgrid_testkit.provisioning import ServiceDatabase

EVENTS = 20_000


async def bench_fanout(db: ServiceDatabase, bootstrap: str) -> list[Figure]:
    r = await run_module(
        "civicgrid_notifications.bench_fanout",
        "--owner-dsn", db.owner_dsn,
        "--runtime-dsn", db.runtime_dsn,
        "--bootstrap", bootstrap,
        "--events", str(EVENTS),
    )  # fmt: skip
    return [
        Figure(
            "event -> in-app message stored",
            f"{r['events_per_s']:,.0f} events/s ({r['inbox_rows']:,} stored; the consumer "
            f"process used {r['cpu_seconds']:.1f} s of CPU in {r['seconds']:.1f} s)",
            ">= 5,000/s per consumer process",
            f"{r['events']:,} hold.ready events for 2,000 residents through Kafka, one consumer "
            "process: inbox dedup, rules, preferences, templates, an in-app message and a "
            "queued SMS each",
        )
    ]


async def bench_webhooks(db: ServiceDatabase) -> list[Figure]:
    r = await run_module(
        "civicgrid_notifications.bench_webhooks",
        "--owner-dsn", db.owner_dsn,
        "--runtime-dsn", db.runtime_dsn,
    )  # fmt: skip
    return [
        Figure(
            "webhook dispatch",
            f"{r['deliveries_per_second']:,.0f} deliveries/s ({r['unique']:,} of "
            f"{r['messages']:,} received once each)",
            ">= 1,000/s",
            f"{r['messages']:,} signed messages to a local receiver in its own process, one "
            f"dispatcher process ({r['loops']} loops, {r['concurrency']} in flight each)",
        )
    ]
