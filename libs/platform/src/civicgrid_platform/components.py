"""Components every service runs the same way."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.handling import Handler
from civicgrid_platform.events.kafka_client import KafkaConnection
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.relay import OutboxRelay
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_platform.grpc.server import GrpcServer, Registrar
from civicgrid_platform.runner import Component
from civicgrid_platform.settings import PlatformSettings


def outbox_relay(
    engine: AsyncEngine, kafka: KafkaConnection, topics: Sequence[TopicSpec], client_id: str
) -> Component:
    """Publishes the service's outbox; provisions its topics (and their DLQs) first."""

    async def run(stop: asyncio.Event) -> None:
        await ensure_topics(kafka.bootstrap_servers, topics, security=kafka.security)
        producer = await create_producer(
            kafka.bootstrap_servers, client_id=client_id, security=kafka.security
        )
        try:
            await OutboxRelay(engine, producer).run(stop)
        finally:
            await producer.stop()

    return Component("relay", run)


def event_consumer(
    kafka: KafkaConnection,
    group: str,
    topics: Sequence[TopicSpec],
    handlers: Mapping[str, Handler],
    uow_factory: UnitOfWorkFactory,
    *,
    max_batch: int = 500,
) -> Component:
    """Consumes other services' topics into this one's database, poison events to their DLQs.
    ``max_batch`` events at most share a transaction.

    The owners create their topics; creating them here too only spares a start-order dependency.
    """

    async def run(stop: asyncio.Event) -> None:
        await ensure_topics(kafka.bootstrap_servers, topics, security=kafka.security)
        dlq = await create_producer(
            kafka.bootstrap_servers, client_id=f"{group}-dlq", security=kafka.security
        )
        try:
            runner = ConsumerRunner(
                kafka.bootstrap_servers,
                group,
                [t.name for t in topics],
                handlers,
                uow_factory,
                dlq_producer=dlq,
                max_batch=max_batch,
                consumer_options=kafka.security,
            )
            await runner.run(stop)
        finally:
            await dlq.stop()

    return Component("consumers", run)


def grpc_component(
    settings: PlatformSettings,
    registrars: Sequence[Registrar],
    service_names: Sequence[str],
    verifier: TokenVerifier,
) -> tuple[Component, GrpcServer]:
    """The service's gRPC server on its configured address; stops gracefully on drain."""
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        registrars=list(registrars),
        service_names=list(service_names),
        verifier=verifier,
    )
    run = functools.partial(server.run, grace=settings.drain_seconds)
    return Component("grpc", run, server.drain), server
