"""`make run`: servers, migrations, services, the entry point, the demo; Ctrl-C stops it all."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import uvicorn

from civicgrid_devstack.gateway import create_gateway
from civicgrid_devstack.seed import seed_demo
from civicgrid_devstack.services import SERVICES, ServiceProcess, service_env
from civicgrid_devstack.sinks import Sinks
from civicgrid_platform.runner import EmbeddedUvicorn
from civicgrid_testkit.provisioning import provision_service_database

logger = logging.getLogger("civicgrid.devstack")

ROOT = Path(__file__).resolve().parents[4]
RUN_DIR = ROOT / ".run"
INFRA_DIR = RUN_DIR / "infra"
ENTRY_PORT = 8080
# Dev-only: `make run` is a laptop platform; staging and production refuse this value.
DEV_ADMIN_PASSWORD = "platform-admin-dev-1"
# Notifications' service client at identity (development only, like the password above).
NOTIFICATIONS_CLIENT = "notifications"
DEV_SERVICE_SECRET = "notifications-dev-only-service-secret-0001"
DEV_PROVIDER_TOKEN = "dev-only-provider-token"
NOTIFICATIONS_SCOPES = [
    "tenants:act",
    "people:read",
    "people:contact",
    "devices:resolve",
    "volunteers:tasks",
]


def infra(command: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "civicgrid_testkit", command, "--dir", str(INFRA_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"infra {command} failed:\n{done.stderr[-4000:]}")
    if command != "up":
        return {}
    return json.loads((INFRA_DIR / "state.json").read_text())


async def run() -> int:
    print("starting PostgreSQL and Kafka (first run fetches Kafka with Maven)…", flush=True)
    # Servers someone started before (`make infra-up`, a test session) keep running after us.
    ours = not (INFRA_DIR / "state.json").exists()
    state = infra("up")
    admin_dsn = state["postgres"]["admin_dsn"]  # type: ignore[index]
    bootstrap = state["kafka"]["bootstrap"]  # type: ignore[index]
    identity = next(s for s in SERVICES if s.name == "identity")
    grid = next(s for s in SERVICES if s.name == "grid")
    jwks_url = f"http://127.0.0.1:{identity.http_port}/.well-known/jwks.json"

    sinks = Sinks(RUN_DIR / "outbox")
    sinks.start()
    processes: list[ServiceProcess] = []
    for spec in SERVICES:
        db = await provision_service_database(admin_dsn, spec.database)
        env = service_env(
            spec,
            runtime_dsn=db.runtime_dsn,
            owner_dsn=db.owner_dsn,
            kafka_bootstrap=bootstrap,
            jwks_url=jwks_url,
        )
        env["CIVICGRID_BLOB_DIR"] = str(RUN_DIR / "blobs" / spec.name)  # tickets' photos
        # Tickets asks the registry where a report lies while its copy of a map is cold.
        env["CIVICGRID_GRID_GRPC_TARGET"] = f"127.0.0.1:{grid.grpc_port}"
        env.update(_wiring(spec.name, sinks))
        if spec.name == "identity":
            env["CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD"] = DEV_ADMIN_PASSWORD
            # The entry point forwards the caller's address; login throttling should see it.
            env["CIVICGRID_TRUSTED_PROXY_HOSTS"] = '["127.0.0.1"]'
        proc = ServiceProcess(spec, env, RUN_DIR / "logs" / f"{spec.name}.log")
        print(f"migrating {spec.name}…", flush=True)
        await asyncio.to_thread(
            proc.migrate, *(["--bootstrap-admin"] if spec.name == "identity" else [])
        )
        processes.append(proc)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    gateway = EmbeddedUvicorn(
        uvicorn.Config(
            create_gateway({p.spec.name: p.base_url for p in processes}),
            host="127.0.0.1",
            port=ENTRY_PORT,
            log_level="warning",
        )
    )
    try:
        for proc in processes:
            proc.start()
        for proc in processes:
            await asyncio.to_thread(proc.wait_ready)
        gateway_task = asyncio.create_task(gateway.serve())
        while not gateway.started:
            if gateway_task.done():
                raise SystemExit(f"the entry point could not listen on 127.0.0.1:{ENTRY_PORT}")
            await asyncio.sleep(0.05)
        entry = f"http://127.0.0.1:{ENTRY_PORT}"
        demo = await seed_demo(
            entry,
            RUN_DIR / "demo.json",
            await _demo_district(),
            platform_admin_password=DEV_ADMIN_PASSWORD,
        )
        demo.update(
            {
                "entry": entry,
                "jwks": f"{entry}/api/identity/.well-known/jwks.json",
                "openapi": {
                    p.spec.name: f"{entry}/api/{p.spec.name}/openapi.json" for p in processes
                },
                "grpc": {p.spec.name: p.grpc_target for p in processes},
                "kafka": bootstrap,
            }
        )
        (RUN_DIR / "demo.json").write_text(json.dumps(demo, indent=2, ensure_ascii=False))
        _print_banner(demo)
        await stop.wait()
        print("\nstopping…", flush=True)
        gateway.should_exit = True
        await gateway_task
    finally:
        for proc in processes:
            await asyncio.to_thread(proc.stop)
        sinks.stop()
        if ours:
            infra("down")
    print("stopped; data kept in .run/ (make clean removes it)", flush=True)
    return 0


def _wiring(name: str, sinks: Sinks) -> dict[str, str]:
    """How the services find each other: notifications acts in districts through its service
    client at identity, and sends to the local mail and phone sinks."""
    by_name = {s.name: s for s in SERVICES}
    if name == "identity":
        client = {
            "client_id": NOTIFICATIONS_CLIENT,
            "secret": DEV_SERVICE_SECRET,
            "scopes": NOTIFICATIONS_SCOPES,
        }
        return {"CIVICGRID_SERVICE_CLIENTS": json.dumps([client])}
    if name == "notifications":
        return {
            "CIVICGRID_SERVICE_CLIENT_ID": NOTIFICATIONS_CLIENT,
            "CIVICGRID_SERVICE_CLIENT_SECRET": DEV_SERVICE_SECRET,
            "CIVICGRID_IDENTITY_GRPC_TARGET": f"127.0.0.1:{by_name['identity'].grpc_port}",
            "CIVICGRID_VOLUNTEERS_GRPC_TARGET": f"127.0.0.1:{by_name['volunteers'].grpc_port}",
            "CIVICGRID_SMTP_PORT": str(sinks.smtp_port),
            "CIVICGRID_SMS_PROVIDERS": json.dumps([sinks.provider_url]),
            "CIVICGRID_VOICE_PROVIDERS": json.dumps([sinks.provider_url]),
            "CIVICGRID_PUBLIC_URL": f"http://127.0.0.1:{by_name['notifications'].http_port}",
            "CIVICGRID_PROVIDER_TOKEN": DEV_PROVIDER_TOKEN,
        }
    return {}


async def _demo_district() -> Path:
    """The synthetic district (2,000 grids), generated once by the grid registry's own tool."""
    path = RUN_DIR / "demo-district.json"
    if not path.exists():
        done = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "civicgrid_grid",
                "demo-data",
                "--grids",
                "2000",
                "--out",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"demo district generation failed:\n{done.stderr[-4000:]}")
    return path


def _print_banner(demo: dict[str, object]) -> None:
    print("\nCivicGrid is running.\n", flush=True)
    print(f"  entry point   {demo['entry']}")
    for name, url in demo["openapi"].items():  # type: ignore[attr-defined]
        print(f"  {name:<13} {url}")
    print(f"  JWKS          {demo['jwks']}")
    print(f"  gRPC          {demo['grpc']}")
    print(f"  Kafka         {demo['kafka']}")
    print(f"  demo district {demo['tenant']}")
    for account in demo["accounts"]:  # type: ignore[attr-defined]
        print(
            f"  login         {account['username']:<28} "
            f"{account['password']:<22} ({account['role']})"
        )
    print(f"\n  (also in {RUN_DIR / 'demo.json'}) — Ctrl-C stops everything\n", flush=True)


def main() -> None:
    logging.basicConfig(level=os.environ.get("CIVICGRID_LOG_LEVEL", "WARNING"))
    sys.exit(asyncio.run(run()))
