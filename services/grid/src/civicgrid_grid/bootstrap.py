"""The composition root: the only place that builds concrete things from settings."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_grid.api.app import create_grid_app
from civicgrid_grid.events.index_listener import listen_for_map_changes
from civicgrid_grid.events.outgoing import topic_specs
from civicgrid_grid.rpc.servicer import SERVICE_NAME, register
from civicgrid_grid.settings import GridSettings
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.resolve import DistrictIndexes
from civicgrid_platform.auth import JwksCache, TokenVerifier
from civicgrid_platform.components import grpc_component, outbox_relay
from civicgrid_platform.composition import ServiceParts, service_engine, token_verifier
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.kafka_client import KafkaConnection
from civicgrid_platform.events.topics import ensure_topics
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_platform.runner import Component, http_component

logger = logging.getLogger(__name__)


@dataclass
class Grid(ServiceParts):
    """The object graph of one grid process."""

    settings: GridSettings
    engine: AsyncEngine
    ctx: GridContext
    indexes: DistrictIndexes
    verifier: TokenVerifier
    jwks: JwksCache

    def components(self, names: Sequence[str]) -> list[Component]:
        return components(self, names)


def build(settings: GridSettings) -> Grid:
    engine = service_engine(settings)
    jwks, verifier = token_verifier(settings)
    ctx = GridContext(uow=UnitOfWorkFactory(engine))
    return Grid(settings, engine, ctx, DistrictIndexes(ctx), verifier, jwks)


def components(grid: Grid, names: Sequence[str]) -> list[Component]:
    settings = grid.settings
    built: list[Component] = []
    serving = "http" in names or "grpc" in names
    if serving:
        # Whoever resolves points warms every district's index, then keeps it current.
        built.append(Component("index", partial(_keep_index, grid)))
    if "http" in names:
        app = create_grid_app(grid.ctx, grid.indexes, grid.verifier, settings, grid.engine)
        built.append(
            http_component(
                app, settings.http_host, settings.http_port, app.state.readiness.set_draining
            )
        )
    if "grpc" in names:
        registrar = register(grid.ctx, grid.indexes, settings.boundary_warning_m)
        _, server = grpc_component(settings, [registrar], [SERVICE_NAME], grid.verifier)
        # Opens only once the indexes are warm (see _serve_grpc).
        built.append(Component("grpc", partial(_serve_grpc, grid, server), server.drain))
    if "relay" in names:
        kafka = KafkaConnection.from_settings(settings)
        built.append(
            outbox_relay(grid.engine, kafka, topic_specs(settings), "civicgrid-grid-relay")
        )
    # Grid consumes no other service's events; "consumers" and "timers" are accepted and idle.
    return built


async def _topics(grid: Grid) -> None:
    kafka = KafkaConnection.from_settings(grid.settings)
    await ensure_topics(
        kafka.bootstrap_servers, topic_specs(grid.settings), security=kafka.security
    )


async def _keep_index(grid: Grid, stop: asyncio.Event) -> None:
    """Listen first, then load: a change committed while the indexes load is still heard."""
    await _topics(grid)
    listening = asyncio.Event()
    listener = asyncio.create_task(
        listen_for_map_changes(
            KafkaConnection.from_settings(grid.settings), grid.indexes.forget, stop, listening
        )
    )
    try:
        heard = asyncio.create_task(listening.wait())
        await asyncio.wait({listener, heard}, return_when=asyncio.FIRST_COMPLETED)
        heard.cancel()
        if listener.done():
            listener.result()  # it failed before listening: fail the process, loudly
            return
        started = time.perf_counter()
        districts = await grid.indexes.warm_all()
        logger.info(
            "grid indexes of %d districts built in %.2f s",
            districts,
            time.perf_counter() - started,
            extra={"districts": districts},
        )
    finally:
        await listener


async def _serve_grpc(grid: Grid, server: GrpcServer, stop: asyncio.Event) -> None:
    """gRPC answers only once every index is warm (HTTP says so through /readyz)."""
    warmed = asyncio.create_task(grid.indexes.warmed.wait())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({warmed, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for task in (warmed, stopped):
        task.cancel()
    if not stop.is_set():
        await server.run(stop, grace=grid.settings.drain_seconds)
