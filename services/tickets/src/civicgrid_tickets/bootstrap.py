"""The composition root: the only place that builds concrete things from settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import JwksCache, TokenVerifier
from civicgrid_platform.components import event_consumer, grpc_component, outbox_relay
from civicgrid_platform.composition import ServiceParts, service_engine, token_verifier
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.kafka_client import KafkaConnection
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.runner import Component, http_component
from civicgrid_tickets.adapters.filesystem_blobs import FilesystemBlobStore
from civicgrid_tickets.adapters.grid_registry import GrpcGridRegistry
from civicgrid_tickets.api.app import create_tickets_app
from civicgrid_tickets.events.incoming import CONSUMER_GROUP, TOPICS, handlers
from civicgrid_tickets.events.outgoing import topic_specs
from civicgrid_tickets.jobs.sla_sweep import sweep_periodically
from civicgrid_tickets.rpc.servicer import SERVICE_NAME, register
from civicgrid_tickets.settings import TicketsSettings
from civicgrid_tickets.usecases.catalogues import Catalogues
from civicgrid_tickets.usecases.context import IntakePolicy, TicketsContext
from civicgrid_tickets.usecases.intake import intake_batcher
from civicgrid_tickets.usecases.rules_book import RulesBook


@dataclass
class Tickets(ServiceParts):
    """The object graph of one tickets process."""

    settings: TicketsSettings
    engine: AsyncEngine
    ctx: TicketsContext
    verifier: TokenVerifier
    jwks: JwksCache

    def components(self, names: Sequence[str]) -> list[Component]:
        return components(self, names)

    async def aclose(self) -> None:
        if self.ctx.intake_batches is not None:
            await self.ctx.intake_batches.aclose()
        if self.ctx.registry is not None:
            await self.ctx.registry.aclose()
        await super().aclose()


def build(settings: TicketsSettings) -> Tickets:
    engine = service_engine(settings)
    ctx = TicketsContext(
        uow=UnitOfWorkFactory(engine),
        intake=IntakePolicy(
            boundary_warning_m=settings.boundary_warning_m,
            duplicate_radius_m=settings.duplicate_radius_m,
            duplicate_window_hours=settings.duplicate_window_hours,
        ),
        blobs=FilesystemBlobStore(settings.blob_dir),
        rules=RulesBook(refresh_after=settings.rules_refresh_seconds),
        intake_batches=intake_batcher(),
        catalogues=Catalogues(fresh_for=settings.rules_refresh_seconds),
        registry=GrpcGridRegistry(settings.grid_grpc_target) if settings.grid_grpc_target else None,
    )
    jwks, verifier = token_verifier(settings)
    return Tickets(settings, engine, ctx, verifier, jwks)


def components(tickets: Tickets, names: Sequence[str]) -> list[Component]:
    settings = tickets.settings
    partitions = settings.kafka_topic_partitions
    built: list[Component] = []
    if "http" in names:
        app = create_tickets_app(tickets.ctx, tickets.verifier, settings, tickets.engine)
        built.append(
            http_component(
                app, settings.http_host, settings.http_port, app.state.readiness.set_draining
            )
        )
    if "relay" in names:
        built.append(
            outbox_relay(
                tickets.engine,
                KafkaConnection.from_settings(settings),
                topic_specs(settings),
                "civicgrid-tickets-relay",
            )
        )
    if "consumers" in names:
        built.append(
            event_consumer(
                KafkaConnection.from_settings(settings),
                CONSUMER_GROUP,
                [TopicSpec(topic, partitions=partitions) for topic in TOPICS],
                handlers(tickets.ctx),
                tickets.ctx.uow,
            )
        )
    if "grpc" in names:
        grpc, _ = grpc_component(
            settings, [register(tickets.ctx)], [SERVICE_NAME], tickets.verifier
        )
        built.append(grpc)
    if "timers" in names:
        built.append(Component("timers", partial(sweep_periodically, tickets.ctx)))
    return built
