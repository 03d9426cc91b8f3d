"""python -m civicgrid_devstack.bench: starts its own PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from civicgrid_devstack.bench import (
    alert_press,
    events,
    grid,
    identity,
    intake,
    notifications,
    tickets,
    tokens,
    volunteers,
)
from civicgrid_devstack.bench.report import render
from civicgrid_testkit import unique_name
from civicgrid_testkit.servers import open_kafka, open_postgres


async def run(postgres_server: object, kafka_server: object, workdir: Path) -> None:
    figures = await tokens.bench_token_verification()
    db = await postgres_server.aprovision(unique_name("bench_events"))  # type: ignore[attr-defined]
    await events.prepare_database(db.owner_dsn)
    bootstrap = kafka_server.bootstrap_servers  # type: ignore[attr-defined]
    figures.append(await events.bench_relay_throughput(db.runtime_dsn, bootstrap))
    figures.append(await events.bench_relay_lag(db.runtime_dsn, bootstrap))
    figures += await events.bench_consumer(db.runtime_dsn, bootstrap)
    identity_db = await postgres_server.aprovision(unique_name("bench_identity"))  # type: ignore[attr-defined]
    figures += await identity.bench_identity(identity_db, bootstrap, workdir)
    figures += await grid.bench_grid_index()
    grid_db = await postgres_server.aprovision(unique_name("bench_grid"))  # type: ignore[attr-defined]
    figures += await grid.bench_grid_database(grid_db, bootstrap, workdir)
    tickets_db = await postgres_server.aprovision(unique_name("bench_tickets"))  # type: ignore[attr-defined]
    figures += await tickets.bench_sla_sweep(tickets_db)
    evaluation_db = await postgres_server.aprovision(unique_name("bench_evaluation"))  # type: ignore[attr-defined]
    figures += await tickets.bench_month_close(evaluation_db)
    intake_db = await postgres_server.aprovision(unique_name("bench_intake"))  # type: ignore[attr-defined]
    bare_db = await postgres_server.aprovision(unique_name("bench_bare"))  # type: ignore[attr-defined]
    await asyncio.to_thread(_migrate_tickets, bare_db.owner_dsn)
    figures += await intake.bench_intake(intake_db, bare_db, bootstrap, workdir)
    volunteers_db = await postgres_server.aprovision(unique_name("bench_volunteers"))  # type: ignore[attr-defined]
    figures += await volunteers.bench_volunteers(volunteers_db, bootstrap, workdir)
    notifications_db = await postgres_server.aprovision(unique_name("bench_notifications"))  # type: ignore[attr-defined]
    figures += await notifications.bench_fanout(notifications_db, bootstrap)
    webhooks_db = await postgres_server.aprovision(unique_name("bench_webhooks"))  # type: ignore[attr-defined]
    figures += await notifications.bench_webhooks(webhooks_db)
    alert_identity_db = await postgres_server.aprovision(unique_name("bench_alert_identity"))  # type: ignore[attr-defined]
    alert_db = await postgres_server.aprovision(unique_name("bench_alerts"))  # type: ignore[attr-defined]
    figures += await alert_press.bench_alert_press(alert_identity_db, alert_db, bootstrap, workdir)
    print(
        f"\nCivicGrid benchmarks — {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, real PostgreSQL + Kafka on 127.0.0.1\n"
    )
    print(render(figures))


def _migrate_tickets(owner_dsn: str) -> None:
    """The bare endpoint writes into tickets' own tables (migrated by the service's command)."""
    env = {**os.environ, "CIVICGRID_DATABASE_URL": owner_dsn}
    subprocess.run([sys.executable, "-m", "civicgrid_tickets", "migrate"], env=env, check=True)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    # Under the repo, not a 0700 temp dir: PostgreSQL runs as an unprivileged user when we are root.
    workdir = Path(__file__).resolve().parents[5] / ".run" / "bench"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        with open_postgres(workdir) as pg, open_kafka(workdir) as kafka:
            asyncio.run(run(pg, kafka, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
