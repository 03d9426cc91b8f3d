"""The settings base every service extends.

Built once in the composition root (never at import). Outside development it refuses the
well-known development secrets, so a forgotten variable cannot ship a guessable key.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Public, committed on purpose: only ever accepted when environment == "dev".
DEV_SECRET = "dev-only-insecure-secret-change-me"

Component = Literal["http", "grpc", "consumers", "relay", "timers"]
ALL_COMPONENTS: tuple[Component, ...] = ("http", "grpc", "consumers", "relay", "timers")

KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class PlatformSettings(BaseSettings):
    """Settings shared by all services; env prefix CIVICGRID_ (nested with __)."""

    model_config = SettingsConfigDict(env_prefix="CIVICGRID_", extra="ignore", frozen=True)

    environment: Literal["dev", "test", "staging", "production"] = "dev"
    service_name: str = "civicgrid"
    instance_id: str = ""

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    ops_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="port of the ops endpoint (/healthz, /readyz, /metrics) that a process "
        "running no `http` component serves on http_host; 0 = none",
    )

    database_url: str = Field(
        default="", description="runtime DSN (non-owner role, row-level security applies)"
    )
    database_migrate_url: str = Field(default="", description="owner DSN used by migrations")
    database_pool_size: int = Field(default=10, ge=1, le=200)

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_security_protocol: KafkaSecurityProtocol = Field(
        default="PLAINTEXT",
        description="how clients reach the brokers: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or "
        "SASL_SSL (SASL authentication over TLS)",
    )
    kafka_sasl_mechanism: KafkaSaslMechanism | None = Field(
        default=None,
        description="SASL mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); required with SASL_*",
    )
    kafka_sasl_username: str = Field(default="", description="SASL user; required with SASL_*")
    kafka_sasl_password: SecretStr = Field(
        default=SecretStr(""), description="SASL password; required with SASL_*"
    )
    kafka_ssl_cafile: str = Field(
        default="",
        description="PEM file of the CA that signed the brokers' certificates (SSL, SASL_SSL); "
        "empty = the system's CA store",
    )

    # Token verification (every service) — identity publishes the JWKS.
    jwks_url: str = ""
    token_issuer: str = "https://civicgrid.local/identity"
    token_audience: str = "civicgrid"

    secret_key: SecretStr = SecretStr(DEV_SECRET)

    log_level: str = "INFO"
    otlp_endpoint: str = Field(default="", description="OTLP gRPC endpoint; empty = no export")
    metrics_enabled: bool = True
    drain_seconds: float = Field(default=5.0, ge=0)

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> Self:
        if self.environment != "dev" and self.secret_key.get_secret_value() == DEV_SECRET:
            raise ValueError(
                "CIVICGRID_SECRET_KEY must be set outside dev: the development secret is public"
            )
        if self.environment != "dev" and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("CIVICGRID_SECRET_KEY must be at least 32 characters outside dev")
        return self

    @field_validator("kafka_sasl_mechanism", mode="before")
    @classmethod
    def _empty_mechanism_is_none(cls, value: object) -> object:
        # A deployment that wires every variable may leave this one empty when SASL is off.
        return None if value == "" else value

    @model_validator(mode="after")
    def _kafka_security_complete(self) -> Self:
        protocol = self.kafka_security_protocol
        if protocol.startswith("SASL_"):
            missing = [
                f"CIVICGRID_KAFKA_SASL_{name.upper()}"
                for name, value in (
                    ("mechanism", self.kafka_sasl_mechanism),
                    ("username", self.kafka_sasl_username),
                    ("password", self.kafka_sasl_password.get_secret_value()),
                )
                if not value
            ]
            if missing:
                raise ValueError(
                    f"CIVICGRID_KAFKA_SECURITY_PROTOCOL={protocol} needs {', '.join(missing)}"
                )
        if self.kafka_ssl_cafile and protocol not in ("SSL", "SASL_SSL"):
            raise ValueError(
                "CIVICGRID_KAFKA_SSL_CAFILE is set but CIVICGRID_KAFKA_SECURITY_PROTOCOL="
                f"{protocol} does not use TLS; choose SSL or SASL_SSL"
            )
        return self
