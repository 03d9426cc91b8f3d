"""How every Kafka client the platform makes reaches the brokers: their address and security.

`kafka_security_options` is the one place that turns the settings into the keyword arguments
aiokafka's producer, consumer and admin client all take (security protocol, TLS context, SASL
mechanism and credentials), so the relay, the consumers, their dead-letter producers and topic
provisioning connect the same way, and a new client cannot forget TLS or SASL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka.helpers import create_ssl_context

from civicgrid_platform.settings import PlatformSettings

_TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
_SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})


def kafka_security_options(settings: PlatformSettings) -> dict[str, Any]:
    """The security keyword arguments of every aiokafka client, from the CIVICGRID_KAFKA_* settings.

    TLS (SSL, SASL_SSL) gets a context that verifies the brokers' certificates and host names
    against ``kafka_ssl_cafile`` (or the system's CA store); SASL gets the mechanism and the
    credentials, which aiokafka takes as ``sasl_plain_*`` for PLAIN and SCRAM alike. The
    settings have already refused SASL without a mechanism, user and password.
    """
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in _TLS_PROTOCOLS:
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile or None)
    if protocol in _SASL_PROTOCOLS:
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    return options


@dataclass(frozen=True)
class KafkaConnection:
    """Where the brokers are and how to talk to them: what a component needs to make clients."""

    bootstrap_servers: str
    # Holds the SASL password: kept out of repr so a logged connection does not print it.
    security: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: PlatformSettings) -> KafkaConnection:
        return cls(settings.kafka_bootstrap, kafka_security_options(settings))
