"""The volunteers service's figures: the best 10 of 100k volunteers for a task (in process, as an
offer round asks), FindNearestAvailable over gRPC from a real process, and 1,000 volunteers
accepting 100 places at once over HTTP. Volunteers code runs in its own processes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from civicgrid_devstack.bench.ghz import ghz, latency_ms
from civicgrid_devstack.bench.grid import run_module
from civicgrid_devstack.bench.jwks_server import JwksServer, bench_token
from civicgrid_devstack.bench.report import Figure
from civicgrid_devstack.services import process_on_free_ports
from civicgrid_platform.auth import generate_signing_key
from civicgrid_testkit.provisioning import ServiceDatabase

CALLS = 5_000
IN_FLIGHT = (1, 4)


async def bench_volunteers(db: ServiceDatabase, bootstrap: str, workdir: Path) -> list[Figure]:
    requests = workdir / "volunteers-requests.json"
    prep = await run_module(
        "civicgrid_volunteers.bench_matching",
        "prepare",
        "--owner-dsn",
        db.owner_dsn,
        "--runtime-dsn",
        db.runtime_dsn,
        "--requests-file",
        str(requests),
    )
    tenant = prep["tenant_id"]
    top = await run_module(
        "civicgrid_volunteers.bench_matching", "top10", "--runtime-dsn", db.runtime_dsn,
        "--tenant", tenant,
    )  # fmt: skip
    slots = await run_module(
        "civicgrid_volunteers.bench_matching", "slots", "--runtime-dsn", db.runtime_dsn,
        "--tenant", tenant,
    )  # fmt: skip
    key = generate_signing_key()
    with JwksServer(key) as jwks:
        proc = process_on_free_ports(
            "volunteers",
            db,
            kafka_bootstrap=bootstrap,
            log=workdir / "volunteers.log",
            jwks_url=jwks.jwks_url,
            components="http,grpc",
        )
        proc.start()
        try:
            await asyncio.to_thread(proc.wait_ready, 120.0)
            alert_chain = bench_token(
                key, tenant, "alert-chain", kind="client", scopes=("volunteers:tasks",)
            )
            call = ("civicgrid.volunteers.v1.VolunteersService/FindNearestAvailable",
                    "civicgrid/volunteers/v1/volunteers_service.proto")  # fmt: skip
            await ghz(proc.grpc_target, *call, alert_chain, requests, 4, 1000)  # warm-up
            # One caller (an alert asks once, then waits), then four at once.
            loads = [
                await ghz(proc.grpc_target, *call, alert_chain, requests, c, CALLS)
                for c in IN_FLIGHT
            ]
            accepted = await _accept_all(proc.base_url, key, tenant, slots)
        finally:
            await asyncio.to_thread(proc.stop)
    taken = await _taken(db.owner_dsn, tenant, slots["task_id"])
    size = f"{prep['volunteers']:,} volunteers in one district"
    return [
        Figure(
            "top-10 candidates for a task",
            f"p50 {top['p50_ms']:.1f} ms, p99 {top['p99_ms']:.1f} ms",
            "p99 <= 10 ms",
            f"{size}, {top['rounds']:,} random tasks (skill, place, office hours): nearest "
            "with the skill from PostgreSQL with their week, filters and weighted score",
        ),
        *(
            Figure(
                f"FindNearestAvailable over gRPC, {c} in flight",
                f"{r['rps']:,.0f} rps, p50 {latency_ms(r, 50):.1f} ms, "
                f"p99 {latency_ms(r, 99):.1f} ms",
                "p99 <= 20 ms",
                f"{size}, {CALLS:,} calls by ghz (n=10, a skill, an hour this week), one "
                "process; JWT and tracing per call",
            )
            for c, r in zip(IN_FLIGHT, loads, strict=True)
        ),
        Figure(
            "1,000 concurrent accepts on 100 places",
            f"{accepted['ok']} accepted, {accepted['conflict']} refused (409); "
            f"{taken} places taken in the database, in {accepted['seconds']:.1f} s",
            "exactly 100 succeed",
            "1,000 volunteers each accept their pending offer of one urgent task at once "
            "(POST /v1/offers/{id}/accept, all 1,000 in flight)",
        ),
    ]


async def _accept_all(
    base_url: str, key: Any, tenant: str, slots: dict[str, Any]
) -> dict[str, Any]:
    calls = [
        (offer_id, bench_token(key, tenant, person, kind="person", roles=("volunteer",)))
        for offer_id, person in slots["offers"]
    ]
    limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=len(calls))
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        started = asyncio.get_running_loop().time()
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/v1/offers/{offer_id}/accept",
                    headers={"Authorization": f"Bearer {token}"},
                )
                for offer_id, token in calls
            )
        )
        seconds = asyncio.get_running_loop().time() - started
    codes = [a.status_code for a in answers]
    unexpected = sorted({c for c in codes if c not in (200, 409)})
    if unexpected:
        raise RuntimeError(f"accepts answered {unexpected}")
    return {"ok": codes.count(200), "conflict": codes.count(409), "seconds": seconds}


async def _taken(owner_dsn: str, tenant: str, task_id: str) -> int:
    """Places the task's row says are taken, and that many assignments (checked alike)."""
    connection = await asyncpg.connect(owner_dsn)
    try:
        # The tables force row-level security even on their owner: ask as the district.
        await connection.execute("SELECT set_config('app.tenant_id', $1, false)", tenant)
        counted = await connection.fetchval(
            "SELECT volunteers_accepted FROM tasks WHERE id = $1::uuid", task_id
        )
        seated = await connection.fetchval(
            "SELECT count(*) FROM assignments WHERE task_id = $1::uuid", task_id
        )
    finally:
        await connection.close()
    if counted != seated:
        raise RuntimeError(f"the task counts {counted} places but {seated} were given")
    return int(seated)
