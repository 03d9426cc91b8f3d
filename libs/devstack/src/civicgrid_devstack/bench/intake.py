"""Intake end to end: real HTTP into a tickets process (token check, routing from its read
model, number, deadlines, history, outbox) with its relay publishing to Kafka; then the same
load against a bare FastAPI endpoint doing only the two inserts, for the ratio. hey (Go)
generates the load, so the client costs little of the two shared cores."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from civicgrid_devstack.bench.grid import run_module
from civicgrid_devstack.bench.jwks_server import JwksServer, resident_token
from civicgrid_devstack.bench.report import Figure, percentile
from civicgrid_devstack.services import ServiceProcess, ServiceSpec, service_env
from civicgrid_platform.auth import generate_signing_key
from civicgrid_testkit.processes import find_free_port
from civicgrid_testkit.provisioning import ServiceDatabase

FULL_LOAD = (6000, 32)  # requests, in flight
PACED = (5000, 10, 25)  # requests, workers, per-worker rate: 250/s


def _hey(url: str, body: Path, token: str, n: int, c: int, q: int = 0) -> tuple[float, list[float]]:
    """(requests per second, latencies in ms) of 2xx answers; anything else fails the bench."""
    hey = shutil.which("hey")
    if hey is None:
        raise RuntimeError("hey not found: make bench installs it with go install")
    args = [hey, "-n", str(n), "-c", str(c), "-m", "POST", "-T", "application/json"]
    args += ["-D", str(body), "-o", "csv", "-H", f"Authorization: Bearer {token}"]
    if q:
        args += ["-q", str(q)]
    done = subprocess.run([*args, url], capture_output=True, text=True, check=False)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    failed = [r for r in rows if not r["status-code"].startswith("2")]
    if done.returncode != 0 or not rows or failed:
        raise RuntimeError(f"intake load failed: {len(failed)} non-2xx\n{done.stderr[-2000:]}")
    ends = [float(r["offset"]) + float(r["response-time"]) for r in rows]
    wall = max(ends) - min(float(r["offset"]) for r in rows)
    return len(rows) / wall, [float(r["response-time"]) * 1000 for r in rows]


async def _drained(owner_dsn: str, within: float = 120.0) -> float:
    """Seconds until the relay has published every outbox row (the events are on Kafka)."""
    started = time.perf_counter()
    connection = await asyncpg.connect(owner_dsn)
    try:
        while await connection.fetchval("SELECT count(*) FROM event_outbox"):
            if time.perf_counter() - started > within:
                raise RuntimeError("the relay did not drain the outbox")
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    return time.perf_counter() - started


async def bench_intake(
    db: ServiceDatabase, bare_db: ServiceDatabase, bootstrap: str, workdir: Path
) -> list[Figure]:
    prep = await run_module(
        "civicgrid_tickets.bench_intake",
        "prepare",
        "--owner-dsn",
        db.owner_dsn,
        "--runtime-dsn",
        db.runtime_dsn,
    )
    key = generate_signing_key()
    token = resident_token(key, prep["tenant_id"])
    body = workdir / "ticket.json"
    body.write_text(
        json.dumps(
            {"category": "roads", "description": "路面塌陷", "lat": prep["lat"], "lon": prep["lon"]}
        )
    )
    spec = ServiceSpec("tickets", find_free_port(), find_free_port())
    with JwksServer(key) as jwks:
        env = service_env(
            spec,
            runtime_dsn=db.runtime_dsn,
            owner_dsn=db.owner_dsn,
            kafka_bootstrap=bootstrap,
            jwks_url=jwks.url,
        )
        env["CIVICGRID_BLOB_DIR"] = str(workdir / "blobs")
        proc = ServiceProcess(spec, env, workdir / "tickets.log", components="http,relay")
        proc.start()
        try:
            await asyncio.to_thread(proc.wait_ready, 120.0)
            url = f"{proc.base_url}/v1/tickets"
            await asyncio.to_thread(_hey, url, body, token, 300, 8)  # warm-up
            full_rps, _ = await asyncio.to_thread(_hey, url, body, token, *FULL_LOAD)
            drain = await _drained(db.owner_dsn)
            paced_rps, paced = await asyncio.to_thread(_hey, url, body, token, *PACED)
            await _drained(db.owner_dsn)
        finally:
            await asyncio.to_thread(proc.stop)
    bare_rps = await asyncio.to_thread(_bare, bare_db, body, token)
    return [
        Figure(
            "intake end to end, full load",
            f"{full_rps:,.0f} tickets/s; outbox drained {drain:.1f} s after the last answer",
            ">= 500 tickets/s",
            f"{FULL_LOAD[0]:,} POST /v1/tickets by hey, {FULL_LOAD[1]} in flight: JWT, routing "
            "from the read model, number, deadlines, history, 3 events via outbox to Kafka",
        ),
        Figure(
            "intake end to end at 250/s",
            f"p50 {percentile(paced, 50):.1f} ms, p99 {percentile(paced, 99):.1f} ms "
            f"({paced_rps:,.0f}/s achieved)",
            "p99 <= 100 ms",
            f"{PACED[0]:,} requests paced by hey",
        ),
        Figure(
            "intake vs a bare endpoint",
            f"{full_rps / bare_rps:.2f} ({bare_rps:,.0f}/s bare)",
            ">= 0.5",
            "the same load on FastAPI doing only the ticket and outbox inserts",
        ),
    ]


def _bare(db: ServiceDatabase, body: Path, token: str) -> float:
    """Requests per second of the bare endpoint under the full load (blocking: run in a thread)."""
    port = find_free_port()
    run = [sys.executable, "-m", "civicgrid_tickets.bench_intake", "bare"]
    process = subprocess.Popen(
        [*run, "--runtime-dsn", db.runtime_dsn, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/v1/tickets"
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        _hey(url, body, token, 300, 8)  # warm-up
        rps, _ = _hey(url, body, token, *FULL_LOAD)
        return rps
    finally:
        process.terminate()
        process.wait(10)
