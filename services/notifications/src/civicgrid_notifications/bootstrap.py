"""The composition root: the only place that builds concrete things from settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.api.app import create_notifications_app
from civicgrid_notifications.events.incoming import CONSUMER_GROUP, HANDLERS, TOPICS
from civicgrid_notifications.events.outgoing import TOPIC
from civicgrid_notifications.settings import NotificationsSettings
from civicgrid_notifications.usecases.context import DeliveryPolicy, NotificationsContext
from civicgrid_platform.auth import JwksCache, TokenVerifier
from civicgrid_platform.components import event_consumer, outbox_relay
from civicgrid_platform.composition import ServiceParts, service_engine, token_verifier
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.runner import Component, http_component


@dataclass
class Notifications(ServiceParts):
    """The object graph of one notifications process."""

    settings: NotificationsSettings
    engine: AsyncEngine
    ctx: NotificationsContext
    verifier: TokenVerifier
    jwks: JwksCache

    def components(self, names: Sequence[str]) -> list[Component]:
        return components(self, names)


def build(settings: NotificationsSettings) -> Notifications:
    engine = service_engine(settings)
    ctx = NotificationsContext(
        uow=UnitOfWorkFactory(engine),
        delivery=DeliveryPolicy(
            max_attempts=settings.delivery_max_attempts,
            retry_base_seconds=settings.retry_base_seconds,
            retry_max_seconds=settings.retry_max_seconds,
        ),
        default_timezone=settings.default_timezone,
        default_locale=settings.default_locale,
    )
    jwks, verifier = token_verifier(settings)
    return Notifications(settings, engine, ctx, verifier, jwks)


def components(notifications: Notifications, names: Sequence[str]) -> list[Component]:
    settings = notifications.settings
    partitions = settings.kafka_topic_partitions
    built: list[Component] = []
    if "http" in names:
        app = create_notifications_app(
            notifications.ctx, notifications.verifier, settings, notifications.engine
        )
        built.append(
            http_component(
                app, settings.http_host, settings.http_port, app.state.readiness.set_draining
            )
        )
    if "relay" in names:
        topics = [TopicSpec(TOPIC, partitions=partitions)]
        built.append(
            outbox_relay(
                notifications.engine,
                settings.kafka_bootstrap,
                topics,
                "civicgrid-notifications-relay",
            )
        )
    if "consumers" in names:
        built.append(
            event_consumer(
                settings.kafka_bootstrap,
                CONSUMER_GROUP,
                [TopicSpec(topic, partitions=partitions) for topic in TOPICS],
                HANDLERS,
                notifications.ctx.uow,
            )
        )
    return built
