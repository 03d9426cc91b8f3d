"""The settings base every service extends.

Built once in the composition root (never at import). Outside development it refuses the
well-known development secrets, so a forgotten variable cannot ship a guessable key.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Public, committed on purpose: only ever accepted when environment == "dev".
DEV_SECRET = "dev-only-insecure-secret-change-me"

Component = Literal["http", "grpc", "consumers", "relay", "timers"]
ALL_COMPONENTS: tuple[Component, ...] = ("http", "grpc", "consumers", "relay", "timers")


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

    database_url: str = Field(
        default="", description="runtime DSN (non-owner role, row-level security applies)"
    )
    database_migrate_url: str = Field(default="", description="owner DSN used by migrations")
    database_pool_size: int = Field(default=10, ge=1, le=200)

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = Field(default=3, ge=1)

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
