"""Helpers for the HTTP integration tests: real servers on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from civicgrid_platform.db.engine import asyncpg_url
from civicgrid_platform.http import idempotency_table
from civicgrid_testkit import ServiceDatabase


async def create_idempotency_schema(database: ServiceDatabase) -> None:
    """What a service's migration does: the owner creates the table."""
    metadata = MetaData()
    idempotency_table(metadata)
    owner = create_async_engine(asyncpg_url(database.owner_dsn))
    try:
        async with owner.begin() as conn:
            await conn.run_sync(metadata.create_all)
    finally:
        await owner.dispose()


def runtime_engine(database: ServiceDatabase) -> AsyncEngine:
    return create_async_engine(asyncpg_url(database.runtime_dsn), pool_size=5, max_overflow=5)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Run `app` under uvicorn on a free 127.0.0.1 port in this event loop; yields its URL."""
    sock = _free_socket()
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces a startup failure
            await asyncio.sleep(0.01)
        host, port = sock.getsockname()
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


class JwksServer:
    """A JWKS endpoint over real HTTP (http.server in a thread) whose document can change."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.status = 200
        self.hits = 0
        self._lock = threading.Lock()

    def respond(self) -> tuple[int, bytes]:
        with self._lock:
            self.hits += 1
            if self.status != 200:
                return self.status, b"unavailable"
            return 200, json.dumps(self.document).encode()

    @contextmanager
    def running(self) -> Iterator[str]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = owner.respond()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet; the hit counter is what matters

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
