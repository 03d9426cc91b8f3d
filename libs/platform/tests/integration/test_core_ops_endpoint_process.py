"""A real service process that runs no HTTP API (volunteers' timers alone, as a split-mode pod
runs them) answers its probes and metrics on the ops port, and stops being ready on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from civicgrid_testkit import unique_name
from civicgrid_testkit.processes import find_free_port, log_tail

pytestmark = pytest.mark.integration

DRAIN_SECONDS = 2.0


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    ops_url: str
    log: Path

    def log_tail(self) -> str:
        return log_tail(self.log)


@pytest.fixture
def timers_process(postgres: object, tmp_path: Path) -> Iterator[Worker]:
    """`python -m civicgrid_volunteers serve --components timers` on a migrated database of its
    own (timers need only PostgreSQL), the ops endpoint on a free port."""
    db = postgres.provision(unique_name("ops_volunteers"))  # type: ignore[attr-defined]
    ops_port, http_port = find_free_port(), find_free_port()
    env = {
        **os.environ,
        "CIVICGRID_ENVIRONMENT": "dev",
        "CIVICGRID_DATABASE_URL": db.runtime_dsn,
        "CIVICGRID_DATABASE_MIGRATE_URL": db.owner_dsn,
        "CIVICGRID_JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json",  # never fetched
        "CIVICGRID_HTTP_HOST": "127.0.0.1",
        "CIVICGRID_HTTP_PORT": str(http_port),
        "CIVICGRID_OPS_PORT": str(ops_port),
        "CIVICGRID_DRAIN_SECONDS": str(DRAIN_SECONDS),
    }
    command = [sys.executable, "-m", "civicgrid_volunteers"]
    migrated = subprocess.run([*command, "migrate"], env=env, capture_output=True, check=False)
    assert migrated.returncode == 0, migrated.stderr.decode()[-4000:]
    log = tmp_path / "volunteers.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "serve", "--components", "timers"], env=env, stdout=out, stderr=out
        )
    try:
        yield Worker(process, f"http://127.0.0.1:{ops_port}", log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_ready(worker: Worker, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.process.poll() is None, f"exited before ready:\n{worker.log_tail()}"
        try:
            if httpx.get(f"{worker.ops_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready within {timeout} s:\n{worker.log_tail()}")


def test_core_ops_port_serves_probes_and_metrics_of_a_worker_process(
    timers_process: Worker,
) -> None:
    process, base = timers_process.process, timers_process.ops_url
    _wait_ready(timers_process)

    live = httpx.get(f"{base}/healthz", timeout=2)
    ready = httpx.get(f"{base}/readyz", timeout=2)
    scraped = httpx.get(f"{base}/metrics", timeout=2)
    assert live.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"timers": "ok"}}
    assert scraped.status_code == 200
    assert "process_resident_memory_bytes" in scraped.text  # the process's own registry

    process.send_signal(signal.SIGTERM)
    seen_draining = None
    while process.poll() is None:
        try:
            answer = httpx.get(f"{base}/readyz", timeout=1)
        except httpx.TransportError:
            break  # the listener closed: the drain is over
        if answer.status_code == 503:
            seen_draining = answer.json()["detail"]
            break
        time.sleep(0.05)
    assert seen_draining == "draining: shutting down", timers_process.log_tail()
    # Still alive while draining: the orchestrator must not restart it now.
    assert httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    assert process.wait(timeout=DRAIN_SECONDS + 20) == 0, timers_process.log_tail()
