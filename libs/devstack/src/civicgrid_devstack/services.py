"""The services the stack runs, and a launcher for one service process on its own ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from civicgrid_testkit.processes import find_free_port
from civicgrid_testkit.provisioning import ServiceDatabase


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str  # identity, grid, ...
    http_port: int
    grpc_port: int

    @property
    def module(self) -> str:
        return f"civicgrid_{self.name}"

    @property
    def database(self) -> str:
        return f"civicgrid_{self.name}"


# Fixed ports for `make run` so URLs in .run/demo.json stay valid between runs.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("identity", 8101, 50101),
    ServiceSpec("grid", 8102, 50102),
    ServiceSpec("tickets", 8103, 50103),
    ServiceSpec("volunteers", 8104, 50104),
    ServiceSpec("notifications", 8105, 50105),
)


class ServiceFailed(RuntimeError):
    pass


@dataclass
class ServiceProcess:
    """One service as a real OS process (`python -m civicgrid_<svc> serve`)."""

    spec: ServiceSpec
    env: dict[str, str]
    log_path: Path
    components: str = "http,grpc,consumers,relay,timers"
    # The interpreter (so its environment) the service runs in: this one unless told.
    python: str = sys.executable
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.spec.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.spec.grpc_port}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [self.python, "-m", self.spec.module, *args],
            env={**os.environ, **self.env},
            capture_output=True,
            check=False,
        )

    def migrate(self, *extra: str) -> None:
        done = self._run("migrate", *extra)
        if done.returncode != 0:
            raise ServiceFailed(f"{self.spec.name} migrate failed:\n{done.stderr.decode()[-4000:]}")

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [self.python, "-m", self.spec.module, "serve", "--components", self.components],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServiceFailed(f"{self.spec.name} exited:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise ServiceFailed(f"{self.spec.name} not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def service_env(
    spec: ServiceSpec,
    *,
    runtime_dsn: str,
    owner_dsn: str,
    kafka_bootstrap: str,
    jwks_url: str,
    environment: str = "dev",
    drain_seconds: float = 0.5,
) -> dict[str, str]:
    return {
        "CIVICGRID_ENVIRONMENT": environment,
        "CIVICGRID_HTTP_HOST": "127.0.0.1",
        "CIVICGRID_HTTP_PORT": str(spec.http_port),
        "CIVICGRID_GRPC_HOST": "127.0.0.1",
        "CIVICGRID_GRPC_PORT": str(spec.grpc_port),
        "CIVICGRID_DATABASE_URL": runtime_dsn,
        "CIVICGRID_DATABASE_MIGRATE_URL": owner_dsn,
        "CIVICGRID_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "CIVICGRID_JWKS_URL": jwks_url,
        # Identity's own address (tickets exchanges Open311 api_keys there).
        "CIVICGRID_IDENTITY_URL": jwks_url.split("/.well-known/")[0],
        "CIVICGRID_DRAIN_SECONDS": str(drain_seconds),
        "CIVICGRID_INSTANCE_ID": f"{spec.name}-local",
    }


def process_on_free_ports(
    name: str,
    db: ServiceDatabase,
    *,
    kafka_bootstrap: str,
    log: Path,
    jwks_url: str | None = None,
    components: str = "http,grpc,consumers,relay,timers",
    env: dict[str, str] | None = None,
    python: str = sys.executable,
) -> ServiceProcess:
    """A service process (not started) on free ports against `db`, trusting `jwks_url` (by
    default its own, as identity does): what benchmarks and cross-service tests run. `python`:
    the interpreter of another environment (an image's install) instead of this one."""
    spec = ServiceSpec(name, find_free_port(), find_free_port())
    full_env = service_env(
        spec,
        runtime_dsn=db.runtime_dsn,
        owner_dsn=db.owner_dsn,
        kafka_bootstrap=kafka_bootstrap,
        jwks_url=jwks_url or f"http://127.0.0.1:{spec.http_port}/.well-known/jwks.json",
    )
    return ServiceProcess(spec, full_env | (env or {}), log, components, python)
