"""Benchmark of the SLA sweep against a real PostgreSQL.

    python -m civicgrid_tickets.bench_sla prepare --owner-dsn DSN --runtime-dsn DSN [--timers N]
    python -m civicgrid_tickets.bench_sla sweep --runtime-dsn DSN

prepare: migrates, writes N open tickets of one district (COPY) each with one due timer (half
warnings, half breaches, so half the tickets climb a level), started under the district's own
SLA policy (version 2, published first). Prints ONE JSON object: timers.

sweep: one replica of the timers component. Prints "ready", waits for a line on stdin (so that
replicas start together and their start-up is not timed), then sweeps until nothing is due:
claim with FOR UPDATE SKIP LOCKED, history lines, events into the outbox, escalations with
fresh clocks (from the tickets' policy version) and timers. Prints ONE JSON object: seconds,
warnings, breaches, escalations, batch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from civicgrid_platform.db.bulk import copy_rows
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_tickets.__main__ import MIGRATIONS
from civicgrid_tickets.db.rules_repo import RulesRepository
from civicgrid_tickets.db.tables import map_units, sla_timers, tickets
from civicgrid_tickets.domain.sla_state import DEFAULT_POLICY_BODY, TicketClocks
from civicgrid_tickets.domain.tenant_rules import RuleKind
from civicgrid_tickets.jobs.sla_sweep import BATCH
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.sla_sweep import sweep

_TICKET_COLUMNS = (
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
    "owner_unit_id",
    "sla_clocks",
    "sla_policy_version",
    "created_at",
    "updated_at",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare")
    prepare.add_argument("--owner-dsn", required=True)
    prepare.add_argument("--runtime-dsn", required=True)
    prepare.add_argument("--timers", type=int, default=100_000)
    sweeper = sub.add_parser("sweep")
    sweeper.add_argument("--runtime-dsn", required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        upgrade(MIGRATIONS, args.owner_dsn)
        asyncio.run(_prepared(args.runtime_dsn, args.timers))
        result: dict[str, Any] = {"timers": args.timers}
    else:
        result = asyncio.run(_sweep_all(args.runtime_dsn))
    sys.stdout.write(json.dumps(result) + "\n")


async def _prepared(dsn: str, count: int) -> None:
    engine = create_engine(dsn, pool_size=1)
    try:
        await _prepare(TicketsContext(uow=UnitOfWorkFactory(engine)), count)
    finally:
        await engine.dispose()


async def _sweep_all(dsn: str) -> dict[str, Any]:
    engine = create_engine(dsn, pool_size=2)
    try:
        ctx = TicketsContext(uow=UnitOfWorkFactory(engine))
        async with ctx.uow(tenant_id=None) as uow:  # connected before the clock starts
            await uow.commit()
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        await asyncio.to_thread(sys.stdin.readline)
        started = time.perf_counter()
        totals = [0, 0, 0]
        while True:
            done = await sweep(ctx, limit=BATCH)
            totals = [
                totals[0] + done.warnings,
                totals[1] + done.breaches,
                totals[2] + done.escalations,
            ]
            if done.handled < BATCH:
                break
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {
        "seconds": round(seconds, 2),
        "warnings": totals[0],
        "breaches": totals[1],
        "escalations": totals[2],
        "batch": BATCH,
    }


async def _prepare(ctx: TicketsContext, count: int) -> None:
    tenant = uuid.uuid4()
    district, street, community, grid = (uuid.uuid4() for _ in range(4))
    started = datetime.now(UTC) - timedelta(days=10)
    clocks = json.dumps(TicketClocks.start(ctx.sla.policy, "roads", "P2", started).to_dict())
    chain = [community, street, district]
    async with ctx.uow(tenant_id=tenant) as uow:
        # The district's own policy (the built-in's targets), so climbing looks a version up.
        policy = await RulesRepository(uow.session, tenant).publish(
            RuleKind.SLA_POLICY, DEFAULT_POLICY_BODY, started, "bench"
        )
        units = [
            (district, tenant, "district", "370102", "d", None, [], 1),
            (street, tenant, "street", "370102001", "s", district, [district], 1),
            (community, tenant, "community", "370102001001", "c", street, [street, district], 1),
            (grid, tenant, "grid", "370102001001001", "g", community, chain, 1),
        ]
        await copy_rows(
            uow.session,
            map_units,
            ("id", "tenant_id", "kind", "code", "name", "parent_id", "ancestor_ids", "version"),
            units,
        )
        ids = [uuid.uuid4() for _ in range(count)]
        place = (grid, chain, "grid", grid)
        fixed = ("roads", "P2", "acknowledged", "web", "bench", *place, clocks, policy)
        rows = [(i, tenant, f"2026-{n:07d}", *fixed, started, started) for n, i in enumerate(ids)]
        await copy_rows(uow.session, tickets, _TICKET_COLUMNS, rows)
        due = started + timedelta(days=1)
        await copy_rows(
            uow.session,
            sla_timers,
            ("tenant_id", "ticket_id", "clock", "kind", "due_at"),
            [
                (tenant, i, "resolve", "warning" if n % 2 else "breach", due)
                for n, i in enumerate(ids)
            ],
        )
        await uow.commit()


if __name__ == "__main__":
    main()
