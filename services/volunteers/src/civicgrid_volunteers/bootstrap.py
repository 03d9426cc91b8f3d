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
from civicgrid_volunteers.api.app import create_volunteers_app
from civicgrid_volunteers.events.incoming import CONSUMER_GROUP, HANDLERS, TOPICS
from civicgrid_volunteers.events.outgoing import topic_specs
from civicgrid_volunteers.jobs.timers_loop import run_timers
from civicgrid_volunteers.rpc.servicer import SERVICE_NAME, register
from civicgrid_volunteers.settings import VolunteersSettings
from civicgrid_volunteers.usecases.context import VolunteersContext


@dataclass
class Volunteers(ServiceParts):
    """The object graph of one volunteers process."""

    settings: VolunteersSettings
    engine: AsyncEngine
    ctx: VolunteersContext
    verifier: TokenVerifier
    jwks: JwksCache

    def components(self, names: Sequence[str]) -> list[Component]:
        return components(self, names)


def build(settings: VolunteersSettings) -> Volunteers:
    engine = service_engine(settings)
    ctx = VolunteersContext(
        uow=UnitOfWorkFactory(engine), default_timezone=settings.default_timezone
    )
    jwks, verifier = token_verifier(settings)
    return Volunteers(settings, engine, ctx, verifier, jwks)


def components(volunteers: Volunteers, names: Sequence[str]) -> list[Component]:
    settings = volunteers.settings
    partitions = settings.kafka_topic_partitions
    built: list[Component] = []
    if "http" in names:
        app = create_volunteers_app(
            volunteers.ctx, volunteers.verifier, settings, volunteers.engine
        )
        built.append(
            http_component(
                app, settings.http_host, settings.http_port, app.state.readiness.set_draining
            )
        )
    if "relay" in names:
        built.append(
            outbox_relay(
                volunteers.engine,
                KafkaConnection.from_settings(settings),
                topic_specs(settings),
                "civicgrid-volunteers-relay",
            )
        )
    if "consumers" in names:
        built.append(
            event_consumer(
                KafkaConnection.from_settings(settings),
                CONSUMER_GROUP,
                [TopicSpec(topic, partitions=partitions) for topic in TOPICS],
                HANDLERS,
                volunteers.ctx.uow,
            )
        )
    if "grpc" in names:
        grpc, _ = grpc_component(
            settings, [register(volunteers.ctx)], [SERVICE_NAME], volunteers.verifier
        )
        built.append(grpc)
    if "timers" in names:
        interval = settings.timers_interval_seconds
        built.append(Component("timers", partial(run_timers, volunteers.ctx, interval)))
    return built
