"""The webhook dispatch benchmark: deliveries per second from the real dispatcher (lease, sign,
POST, record) to a local receiver in its own process (uvicorn, answering 204).

    python -m civicgrid_notifications.bench_webhooks [--owner-dsn DSN --runtime-dsn DSN]
        [--messages 5000] [--processes 1] [--loops 2] [--concurrency 64]
    (it starts `receiver --port N` and `drain ...` processes of this module itself)

Without DSNs it provisions a scratch database on CIVICGRID_EXTERNAL_POSTGRES_DSN (the test
kit, a development dependency). It migrates, queues the messages for one subscription of one
district configured for an internal integration, starts `processes` dispatcher processes (as
replicas would run; `loops` batch loops each, as the component runs), times them from the
signal to go until every message is delivered, and prints ONE JSON object: messages,
seconds, deliveries_per_second, dispatcher_cpu_ms_per_message, processes, loops,
concurrency, received and unique (as the receiver counted them)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, select

from civicgrid_notifications.__main__ import MIGRATIONS
from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.db.tables_webhooks import webhook_messages
from civicgrid_notifications.db.webhooks_repo import WebhooksRepository
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_dispatch import dispatch_due
from civicgrid_notifications.usecases.webhook_secrets import WEBHOOK_SECRET_PURPOSE
from civicgrid_notifications.usecases.webhooks import (
    SubscriptionInput,
    enqueue_for_event,
    subscribe,
)
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_platform.sealing import Sealer
from civicgrid_platform.settings import DEV_SECRET

LOOPBACK = "127.0.0.1"
MESSAGES = 5_000
EVENT_TYPE = "civicgrid.tickets.v1.ticket.created"
PER_TRANSACTION = 500


def _sealer() -> Sealer:
    """The benchmark's own database: the public development key seals its secret in the
    process that subscribes and opens it in the dispatcher processes."""
    return Sealer(DEV_SECRET, WEBHOOK_SECRET_PURPOSE)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = ("dispatch", "receiver", "drain")
    parser.add_argument("command", nargs="?", choices=commands, default="dispatch")
    parser.add_argument("--owner-dsn")
    parser.add_argument("--runtime-dsn")
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--loops", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    if args.command == "receiver":
        _serve_receiver(args.port)
        return
    if args.command == "drain":
        result = asyncio.run(_drain(args.runtime_dsn, args.loops, args.concurrency))
        sys.stdout.write(json.dumps(result) + "\n")
        return
    scratch = None
    if args.owner_dsn and args.runtime_dsn:
        owner, runtime = args.owner_dsn, args.runtime_dsn
    else:
        scratch = f"bench_webhooks_{uuid.uuid4().hex[:8]}"
        owner, runtime = asyncio.run(_scratch_database(scratch))
    try:
        upgrade(MIGRATIONS, owner)
        bench = _bench(runtime, args.messages, args.processes, args.loops, args.concurrency)
        sys.stdout.write(json.dumps(asyncio.run(bench)) + "\n")
    finally:
        if scratch is not None:
            asyncio.run(_drop_scratch_database(scratch))


async def _scratch_database(name: str) -> tuple[str, str]:
    from civicgrid_testkit.provisioning import provision_service_database

    db = await provision_service_database(os.environ["CIVICGRID_EXTERNAL_POSTGRES_DSN"], name)
    return db.owner_dsn, db.runtime_dsn


async def _drop_scratch_database(name: str) -> None:
    from civicgrid_testkit.provisioning import owner_role, runtime_role

    admin = await asyncpg.connect(os.environ["CIVICGRID_EXTERNAL_POSTGRES_DSN"])
    try:  # names of our own making: bench_webhooks_ and hex digits
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in (owner_role(name), runtime_role(name)):
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        await admin.close()


# The receiver: counts what it gets, and which webhook-ids.


def _serve_receiver(port: int) -> None:
    import uvicorn

    seen: set[str] = set()
    received = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal received
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        body = b""
        if scope["method"] == "POST":
            received += 1
            seen.update(v.decode() for k, v in scope["headers"] if k == b"webhook-id")
        else:
            body = json.dumps({"received": received, "unique": len(seen)}).encode()
        status = 204 if scope["method"] == "POST" else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host=LOOPBACK, port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


async def _counts(url: str) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        for _ in range(600):  # a minute for the receiver's process to start
            try:
                counted: dict[str, int] = (await client.get(url)).json()
                return counted
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the receiver did not start")


# The run


def _admin(tenant: uuid.UUID) -> Principal:
    return Principal(
        subject=str(uuid.uuid4()),
        tenant_id=str(tenant),
        roles=frozenset({"tenant_admin"}),
        bindings=(),
        scopes=frozenset(),
        kind="person",
        token_id="bench",
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


async def _prepare(ctx: NotificationsContext, receiver_url: str, messages: int) -> uuid.UUID:
    tenant = uuid.uuid4()
    async with ctx.uow(tenant_id=tenant) as uow:
        await WebhooksRepository(uow.session, tenant).set_internal_allowed(True, "UTC", "en")
        await uow.commit()
    await subscribe(ctx, _admin(tenant), SubscriptionInput(url=receiver_url))
    for start in range(0, messages, PER_TRANSACTION):
        async with ctx.uow(tenant_id=tenant) as uow:
            for n in range(start, min(start + PER_TRANSACTION, messages)):
                payload = {"ticket_id": str(uuid.uuid4()), "number": f"T-{n}", "category": "lights"}
                await enqueue_for_event(uow, tenant, uuid.uuid4(), EVENT_TYPE, payload)
            await uow.commit()
    return tenant


async def _delivered(ctx: NotificationsContext, tenant: uuid.UUID) -> int:
    async with ctx.uow(tenant_id=tenant) as uow:
        query = select(func.count()).where(
            webhook_messages.c.tenant_id == tenant, webhook_messages.c.status == "delivered"
        )
        return int(await uow.session.scalar(query) or 0)


def _spawn(*args: str, **options: Any) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "civicgrid_notifications.bench_webhooks", *args]
    return subprocess.Popen(command, text=True, **options)


async def _bench(
    dsn: str, messages: int, processes: int, loops: int, concurrency: int
) -> dict[str, Any]:
    port = _free_port()
    receiver = _spawn("receiver", "--port", str(port))
    engine = create_engine(dsn, pool_size=2)
    ctx = NotificationsContext(uow=UnitOfWorkFactory(engine), webhook_sealer=_sealer())
    workers: list[subprocess.Popen[str]] = []
    try:
        await _counts(f"http://{LOOPBACK}:{port}/count")
        tenant = await _prepare(ctx, f"http://{LOOPBACK}:{port}/hook", messages)
        # Dispatcher processes as replicas would run: each ready first, then all at once.
        pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
        options = ["--loops", str(loops), "--concurrency", str(concurrency)]
        workers = [
            _spawn("drain", "--runtime-dsn", dsn, *options, **pipes) for _ in range(processes)
        ]
        for worker in workers:
            assert worker.stdin and worker.stdout
            if worker.stdout.readline().strip() != "ready":
                raise RuntimeError("a dispatcher process did not start")
        for worker in workers:
            assert worker.stdin
            worker.stdin.write("go\n")
            worker.stdin.flush()
        runs = [json.loads(w.communicate(timeout=600)[0].splitlines()[-1]) for w in workers]
        delivered = await _delivered(ctx, tenant)
        counted = await _counts(f"http://{LOOPBACK}:{port}/count")
    finally:
        await engine.dispose()
        for process in (*workers, receiver):
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=10)
    if delivered != messages:
        raise RuntimeError(f"{delivered} of {messages} messages delivered")
    seconds = max(r["ended"] for r in runs) - min(r["started"] for r in runs)
    return {
        "messages": messages,
        "seconds": round(seconds, 3),
        "deliveries_per_second": round(messages / seconds, 1),
        "dispatcher_cpu_ms_per_message": round(sum(r["cpu"] for r in runs) / messages * 1e3, 3),
        "processes": processes,
        "loops": loops,
        "concurrency": concurrency,
        **counted,
    }


async def _drain(dsn: str, loops: int, concurrency: int) -> dict[str, float]:
    """One dispatcher process: sends until nothing is due, once told to go."""
    engine = create_engine(dsn, pool_size=loops * 2)
    ctx = NotificationsContext(uow=UnitOfWorkFactory(engine), webhook_sealer=_sealer())
    sender = HttpWebhookSender()

    async def loop() -> None:
        while await dispatch_due(ctx, sender, concurrency=concurrency):
            pass

    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        await asyncio.to_thread(sys.stdin.readline)
        started, cpu = time.time(), time.process_time()
        await asyncio.gather(*(loop() for _ in range(loops)))
        return {"started": started, "ended": time.time(), "cpu": time.process_time() - cpu}
    finally:
        await sender.aclose()
        await engine.dispose()


if __name__ == "__main__":
    main()
