"""Kafka security settings reach every client the platform makes, from one place."""

from __future__ import annotations

import asyncio
import datetime
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from civicgrid_platform import components
from civicgrid_platform.events.kafka_client import KafkaConnection, kafka_security_options
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings


def _ca_file(directory: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "civicgrid test kafka CA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "kafka-ca.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_kafka_plaintext_is_the_default_and_adds_nothing_else() -> None:
    assert kafka_security_options(PlatformSettings()) == {"security_protocol": "PLAINTEXT"}


def test_kafka_ssl_verifies_brokers_against_the_configured_ca(tmp_path: Path) -> None:
    settings = PlatformSettings(
        kafka_security_protocol="SSL", kafka_ssl_cafile=str(_ca_file(tmp_path))
    )

    options = kafka_security_options(settings)

    assert set(options) == {"security_protocol", "ssl_context"}
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "civicgrid test kafka CA"),),)
    ]


def test_kafka_sasl_ssl_with_scram_passes_mechanism_and_credentials(tmp_path: Path) -> None:
    settings = PlatformSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="civicgrid-tickets",
        kafka_sasl_password="s3cret-from-a-k8s-secret",
        kafka_ssl_cafile=str(_ca_file(tmp_path)),
    )

    options = kafka_security_options(settings)

    assert isinstance(options.pop("ssl_context"), ssl.SSLContext)
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "civicgrid-tickets",
        "sasl_plain_password": "s3cret-from-a-k8s-secret",
    }


def test_kafka_sasl_plaintext_has_no_tls_context() -> None:
    settings = PlatformSettings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="u",
        kafka_sasl_password="p",
    )
    assert "ssl_context" not in kafka_security_options(settings)


def test_kafka_security_is_read_from_the_civicgrid_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIVICGRID_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("CIVICGRID_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
    monkeypatch.setenv("CIVICGRID_KAFKA_SASL_USERNAME", "grid")
    monkeypatch.setenv("CIVICGRID_KAFKA_SASL_PASSWORD", "pw")
    monkeypatch.setenv("CIVICGRID_KAFKA_SSL_CAFILE", "")

    settings = PlatformSettings()

    assert (settings.kafka_security_protocol, settings.kafka_sasl_mechanism) == (
        "SASL_PLAINTEXT",
        "SCRAM-SHA-256",
    )
    assert (settings.kafka_sasl_username, settings.kafka_sasl_password.get_secret_value()) == (
        "grid",
        "pw",
    )
    assert settings.kafka_ssl_cafile == ""


def test_kafka_sasl_without_credentials_is_a_settings_error_naming_what_is_missing() -> None:
    with pytest.raises(ValidationError) as refused:
        PlatformSettings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="u")
    message = str(refused.value)
    assert "CIVICGRID_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs" in message
    assert "CIVICGRID_KAFKA_SASL_MECHANISM" in message
    assert "CIVICGRID_KAFKA_SASL_PASSWORD" in message
    assert "CIVICGRID_KAFKA_SASL_USERNAME" not in message


def test_kafka_empty_sasl_mechanism_variable_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRID_KAFKA_SASL_MECHANISM", "")
    assert PlatformSettings().kafka_sasl_mechanism is None
    monkeypatch.setenv("CIVICGRID_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    with pytest.raises(ValidationError, match="CIVICGRID_KAFKA_SASL_MECHANISM"):
        PlatformSettings()


def test_kafka_unknown_protocol_or_mechanism_is_refused() -> None:
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        PlatformSettings(kafka_security_protocol="TLS")
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        PlatformSettings(kafka_sasl_mechanism="GSSAPI")


def test_kafka_ca_file_without_tls_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not use TLS"):
        PlatformSettings(kafka_ssl_cafile=str(tmp_path / "ca.pem"))


def test_kafka_connection_repr_hides_the_sasl_password() -> None:
    settings = PlatformSettings(
        kafka_bootstrap="kafka:9093",
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="u",
        kafka_sasl_password="never-print-me",
    )
    connection = KafkaConnection.from_settings(settings)
    assert connection.bootstrap_servers == "kafka:9093"
    assert connection.security["sasl_plain_password"] == "never-print-me"
    assert "never-print-me" not in repr(connection)


async def test_kafka_every_aiokafka_client_accepts_the_options(tmp_path: Path) -> None:
    """The producer, consumer and admin client take the very keys the options carry (a
    misspelt or unknown key would be a TypeError here, not a surprise at the first deploy)."""
    settings = PlatformSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="u",
        kafka_sasl_password="p",
        kafka_ssl_cafile=str(_ca_file(tmp_path)),
    )
    options = kafka_security_options(settings)

    producer = AIOKafkaProducer(bootstrap_servers="kafka:9093", **options)
    await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers="kafka:9093", **options)
    await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers="kafka:9093", **options)
    await admin.close()


class _Captured(Exception):
    """Stops a component once it has made its Kafka clients."""


class _StubProducer:
    async def stop(self) -> None:
        return None


async def test_kafka_components_hand_the_security_to_each_client_they_make(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str, Any]] = []

    async def fake_ensure_topics(bootstrap: str, specs: Any, **kwargs: Any) -> None:
        calls.append(("topics", bootstrap, kwargs["security"]))

    async def fake_create_producer(bootstrap: str, client_id: str, **kwargs: Any) -> Any:
        calls.append(("producer", bootstrap, kwargs["security"]))
        return _StubProducer()

    class FakeRelay:
        def __init__(self, engine: Any, producer: Any) -> None:
            pass

        async def run(self, stop: asyncio.Event) -> None:
            raise _Captured

    class FakeConsumerRunner:
        def __init__(self, bootstrap: str, *args: Any, **kwargs: Any) -> None:
            calls.append(("consumer", bootstrap, kwargs["consumer_options"]))

        async def run(self, stop: asyncio.Event) -> None:
            raise _Captured

    monkeypatch.setattr(components, "ensure_topics", fake_ensure_topics)
    monkeypatch.setattr(components, "create_producer", fake_create_producer)
    monkeypatch.setattr(components, "OutboxRelay", FakeRelay)
    monkeypatch.setattr(components, "ConsumerRunner", FakeConsumerRunner)
    kafka = KafkaConnection("kafka:9093", {"security_protocol": "SSL", "ssl_context": object()})
    topics = [TopicSpec("civicgrid.example.v1")]

    relay = components.outbox_relay(None, kafka, topics, "relay")  # type: ignore[arg-type]
    consumer = components.event_consumer(kafka, "group", topics, {}, None)  # type: ignore[arg-type]
    for component in (relay, consumer):
        with pytest.raises(_Captured):
            await component.run(asyncio.Event())

    # The relay: topics, its producer. The consumers: topics, the DLQ producer, the consumer.
    assert [kind for kind, _, _ in calls] == [
        "topics",
        "producer",
        "topics",
        "producer",
        "consumer",
    ]
    assert all(bootstrap == "kafka:9093" for _, bootstrap, _ in calls)
    assert all(security is kafka.security for _, _, security in calls)
