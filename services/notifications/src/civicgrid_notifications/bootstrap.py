"""The composition root: the only place that builds concrete things from settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.adapters import identity_directory, volunteers_finder
from civicgrid_notifications.adapters.http_provider import FallbackSender
from civicgrid_notifications.adapters.identity_directory import IdentityDirectory
from civicgrid_notifications.adapters.smtp_email import SmtpEmailSender
from civicgrid_notifications.adapters.volunteers_finder import VolunteersFinder
from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.api.app import create_notifications_app
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.domain.retention import RetentionPolicy
from civicgrid_notifications.events.incoming import CONSUMER_GROUP, TOPICS, build_handlers
from civicgrid_notifications.events.outgoing import topic_specs
from civicgrid_notifications.jobs.dispatcher import run_dispatcher
from civicgrid_notifications.jobs.webhook_dispatcher import webhook_dispatcher
from civicgrid_notifications.rpc.servicer import SERVICE_NAME, register
from civicgrid_notifications.settings import NotificationsSettings
from civicgrid_notifications.usecases import webhooks
from civicgrid_notifications.usecases.context import DeliveryPolicy, NotificationsContext
from civicgrid_notifications.usecases.ports import Sender
from civicgrid_notifications.usecases.retention import purge_due
from civicgrid_notifications.usecases.timer_kinds import run_due
from civicgrid_notifications.usecases.webhook_secrets import WEBHOOK_SECRET_PURPOSE
from civicgrid_platform.auth import JwksCache, TenantTokens, TokenVerifier
from civicgrid_platform.components import event_consumer, grpc_component, outbox_relay
from civicgrid_platform.composition import ServiceParts, service_engine, token_verifier
from civicgrid_platform.db.notify_listener import dsn_of
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.kafka_client import KafkaConnection
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.runner import Component, http_component
from civicgrid_platform.sealing import Sealer
from civicgrid_platform.timers import run_timers


class Closable(Protocol):
    async def aclose(self) -> None: ...


@dataclass
class Notifications(ServiceParts):
    """The object graph of one notifications process."""

    settings: NotificationsSettings
    engine: AsyncEngine
    ctx: NotificationsContext
    verifier: TokenVerifier
    jwks: JwksCache
    # What holds connections open, closed with the process.
    closables: list[Closable] = field(default_factory=list)

    def components(self, names: Sequence[str]) -> list[Component]:
        return components(self, names)

    async def aclose(self) -> None:
        for part in reversed(self.closables):
            await part.aclose()
        await super().aclose()


def _senders(settings: NotificationsSettings) -> dict[Channel, FallbackSender | SmtpEmailSender]:
    senders: dict[Channel, FallbackSender | SmtpEmailSender] = {
        Channel.EMAIL: SmtpEmailSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            mail_from=settings.mail_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
        )
    }
    phones = ((Channel.SMS, settings.sms_providers), (Channel.VOICE, settings.voice_providers))
    for channel, urls in phones:
        if urls:
            senders[channel] = FallbackSender.over(
                urls,
                token=settings.provider_token.get_secret_value(),
                public_url=settings.public_url,
                timeout_seconds=settings.provider_timeout_seconds,
            )
    return senders


def build(settings: NotificationsSettings) -> Notifications:
    engine = service_engine(settings)
    closables: list[Closable] = []
    directory = finder = None
    if settings.service_client_id:
        tokens = TenantTokens(
            f"{settings.identity_url.rstrip('/')}/v1/oauth/token",
            settings.service_client_id,
            settings.service_client_secret.get_secret_value(),
            [*identity_directory.DISTRICT_SCOPES, *volunteers_finder.DISTRICT_SCOPES],
            platform_scopes=identity_directory.PLATFORM_SCOPES,
        )
        directory = IdentityDirectory(settings.identity_grpc_target, tokens)
        finder = VolunteersFinder(settings.volunteers_grpc_target, tokens)
        closables += [tokens, directory, finder]
    senders = _senders(settings)
    closables += [s for s in senders.values() if isinstance(s, FallbackSender)]
    ctx = NotificationsContext(
        uow=UnitOfWorkFactory(engine),
        senders=dict[Channel, Sender](senders),
        directory=directory,
        volunteers=finder,
        delivery=DeliveryPolicy(
            max_attempts=settings.delivery_max_attempts,
            retry_base_seconds=settings.retry_base_seconds,
            retry_max_seconds=settings.retry_max_seconds,
        ),
        default_timezone=settings.default_timezone,
        default_locale=settings.default_locale,
        webhook_sealer=Sealer(settings.secret_key.get_secret_value(), WEBHOOK_SECRET_PURPOSE),
        retention=RetentionPolicy(
            deliveries=timedelta(days=settings.retention_deliveries_days),
            read_inbox=timedelta(days=settings.retention_read_inbox_days),
            webhook_messages=timedelta(days=settings.retention_webhook_messages_days),
            batch=settings.retention_batch_size,
        ),
    )
    jwks, verifier = token_verifier(settings)
    return Notifications(settings, engine, ctx, verifier, jwks, closables)


def components(notifications: Notifications, names: Sequence[str]) -> list[Component]:
    settings, ctx = notifications.settings, notifications.ctx
    partitions = settings.kafka_topic_partitions
    built: list[Component] = []
    if "http" in names:
        app = create_notifications_app(ctx, notifications.verifier, settings, notifications.engine)
        built.append(
            http_component(
                app, settings.http_host, settings.http_port, app.state.readiness.set_draining
            )
        )
    if "relay" in names:
        built.append(
            outbox_relay(
                notifications.engine,
                KafkaConnection.from_settings(settings),
                topic_specs(settings),
                "civicgrid-notifications-relay",
            )
        )
    if "consumers" in names:
        built.append(
            event_consumer(
                KafkaConnection.from_settings(settings),
                CONSUMER_GROUP,
                [TopicSpec(topic, partitions=partitions) for topic in TOPICS],
                build_handlers(ctx, webhooks.enqueue_for_event),
                ctx.uow,
                max_batch=settings.consumer_max_batch,
            )
        )
    if "grpc" in names:
        grpc, _ = grpc_component(settings, [register(ctx)], [SERVICE_NAME], notifications.verifier)
        built.append(grpc)
    if "timers" in names:
        # Four loops: the chain's and digests' timers, the districts' upkeep (retention),
        # deliveries leaving, webhooks leaving.
        interval = settings.timers_interval_seconds
        built.append(Component("timers", partial(run_timers, partial(run_due, ctx), interval)))
        built.append(Component("retention", partial(run_timers, partial(purge_due, ctx), interval)))
        dsn = dsn_of(notifications.engine.url)
        built.append(
            Component(
                "deliveries",
                partial(run_dispatcher, ctx, dsn, settings.dispatch_interval_seconds),
            )
        )
        sender = HttpWebhookSender(
            timeout=settings.webhook_timeout_seconds,
            deadline=settings.webhook_deadline_seconds,
            per_endpoint=settings.webhook_connections_per_endpoint,
        )
        built.append(
            webhook_dispatcher(
                ctx,
                sender,
                interval=settings.webhook_dispatch_interval_seconds,
                loops=settings.webhook_dispatch_loops,
                concurrency=settings.webhook_concurrency,
            )
        )
    return built
