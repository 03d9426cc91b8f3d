"""Login latency and idle memory of a real identity process, installed as its image installs
it (tooling/image_recipe.sh: the service's packages from the lock, no dev packages). The
development environment measures about 4 MB more: httpx imports rich and pygments (its
command line) whenever they are installed, and pytest and import-linter install them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import httpx

from civicgrid_devstack.bench.report import Figure, percentile
from civicgrid_devstack.services import process_on_free_ports
from civicgrid_testkit.provisioning import ServiceDatabase

ADMIN_PASSWORD = "bench-platform-admin"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


_ROOT = Path(__file__).resolve().parents[5]


def image_install(service: str, workdir: Path) -> str:
    """The service installed as its image installs it, under workdir; its interpreter."""
    subprocess.run(
        ["bash", str(_ROOT / "tooling" / "image_recipe.sh"), service],
        env={**os.environ, "IMAGE_RECIPE_DIR": str(workdir)},
        check=True,
        capture_output=True,
    )
    return str(workdir / service / "app" / ".venv" / "bin" / "python")


async def bench_identity(
    db: ServiceDatabase, bootstrap: str, logs: Path, logins: int = 200
) -> list[Figure]:
    python = await asyncio.to_thread(image_install, "identity", logs / "image")
    proc = process_on_free_ports(
        "identity",
        db,
        kafka_bootstrap=bootstrap,
        log=logs / "identity.log",
        env={"CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD},
        python=python,
    )
    await asyncio.to_thread(proc.migrate, "--bootstrap-admin")
    proc.start()
    try:
        await asyncio.to_thread(proc.wait_ready)
        await asyncio.sleep(3)  # let start-up allocations settle before reading idle memory
        assert proc.process is not None
        idle_rss = _rss_mb(proc.process.pid)
        body = {
            "tenant": "platform",
            "username": "platform@civicgrid.org",
            "password": ADMIN_PASSWORD,
        }
        latencies = []
        async with httpx.AsyncClient(base_url=proc.base_url, timeout=30) as client:
            for _ in range(logins):
                started = time.perf_counter()
                answer = await client.post("/v1/auth/login", json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    finally:
        await asyncio.to_thread(proc.stop)
    return [
        Figure(
            "login latency",
            f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms",
            "(stated)",
            f"{logins} sequential logins over HTTP, argon2id m=19 MiB t=2 p=1",
        ),
        Figure(
            "identity idle RSS",
            f"{idle_rss:.0f} MB",
            "<= 120 MB",
            "all components, after start-up, installed as the image installs it",
        ),
    ]
