"""The composition root: the only place that builds concrete things from settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_identity.api.app import create_identity_app
from civicgrid_identity.domain.passwords import PasswordPolicy
from civicgrid_identity.events.incoming import CONSUMER_GROUP, GRID_TOPIC, HANDLERS
from civicgrid_identity.events.outgoing import topic_specs
from civicgrid_identity.jobs.key_rotation import rotate_keys_periodically
from civicgrid_identity.rpc.servicer import SERVICE_NAME, register
from civicgrid_identity.settings import IdentitySettings
from civicgrid_identity.usecases.context import IdentityContext, TokenPolicy
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.service_clients import ServiceClient, ensure_service_clients
from civicgrid_platform.auth import JwksCache, TokenVerifier
from civicgrid_platform.components import event_consumer, grpc_component, outbox_relay
from civicgrid_platform.composition import ServiceParts, service_engine, token_verifier
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.kafka_client import KafkaConnection
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.runner import Component, http_component
from civicgrid_platform.sealing import Sealer


@dataclass
class Identity(ServiceParts):
    """The object graph of one identity process."""

    settings: IdentitySettings
    engine: AsyncEngine
    ctx: IdentityContext
    keyring: KeyRing
    verifier: TokenVerifier
    jwks: JwksCache

    async def start(self) -> None:
        await self.keyring.ensure_key()
        await ensure_service_clients(
            self.ctx,
            [
                ServiceClient(c.client_id, c.secret.get_secret_value(), tuple(c.scopes))
                for c in self.settings.service_clients
            ],
        )

    def components(self, names: Sequence[str]) -> list[Component]:
        return components(self, names)


def token_policy(settings: IdentitySettings) -> TokenPolicy:
    return TokenPolicy(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        access_ttl=timedelta(minutes=settings.access_token_minutes),
        refresh_ttl=timedelta(days=settings.refresh_token_days),
        key_rotation_interval=timedelta(days=settings.key_rotation_days),
    )


def build(settings: IdentitySettings, *, passwords: PasswordPolicy | None = None) -> Identity:
    engine = service_engine(settings)
    secret = settings.secret_key.get_secret_value()
    ctx = IdentityContext(
        uow=UnitOfWorkFactory(engine),
        passwords=passwords or PasswordPolicy(),
        tokens=token_policy(settings),
        device_sealer=Sealer(secret, "identity:device-secret"),
        key_sealer=Sealer(secret, "identity:signing-key"),
    )
    keyring = KeyRing(ctx, cache_seconds=settings.key_cache_seconds)
    jwks, verifier = token_verifier(
        settings,
        settings.jwks_url
        or f"http://{settings.http_host}:{settings.http_port}/.well-known/jwks.json",
    )
    return Identity(settings, engine, ctx, keyring, verifier, jwks)


def components(identity: Identity, names: Sequence[str]) -> list[Component]:
    settings = identity.settings
    built: list[Component] = []
    if "http" in names:
        app = create_identity_app(
            identity.ctx, identity.keyring, identity.verifier, settings, identity.engine
        )
        built.append(
            http_component(
                app, settings.http_host, settings.http_port, app.state.readiness.set_draining
            )
        )
    if "grpc" in names:
        grpc, _ = grpc_component(
            settings, [register(identity.ctx)], [SERVICE_NAME], identity.verifier
        )
        built.append(grpc)
    if "relay" in names:
        built.append(
            outbox_relay(
                identity.engine,
                KafkaConnection.from_settings(settings),
                topic_specs(settings),
                "civicgrid-identity-relay",
            )
        )
    if "timers" in names:
        built.append(
            Component(
                "timers",
                lambda stop: rotate_keys_periodically(
                    identity.keyring, stop, rotate_after_seconds=settings.key_rotation_days * 86400
                ),
            )
        )
    if "consumers" in names:
        built.append(
            event_consumer(
                KafkaConnection.from_settings(settings),
                CONSUMER_GROUP,
                [TopicSpec(GRID_TOPIC, partitions=settings.kafka_topic_partitions)],
                HANDLERS,
                identity.ctx.uow,
            )
        )
    return built
