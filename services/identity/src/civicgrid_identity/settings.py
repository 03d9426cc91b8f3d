"""Identity's settings: the platform base plus token lifetimes, the bootstrap admin and the
platform service clients."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from civicgrid_platform.settings import PlatformSettings


class ServiceClientSetting(BaseModel):
    """One platform service client (rules checked by usecases.service_clients at start)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str
    secret: SecretStr
    scopes: list[str] = Field(default_factory=list)


class IdentitySettings(PlatformSettings):
    service_name: str = "identity"
    http_port: int = Field(default=8001, ge=0, le=65535)
    grpc_port: int = Field(default=50061, ge=0, le=65535)

    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    key_rotation_days: int = Field(default=30, ge=1)
    key_cache_seconds: float = Field(default=30.0, ge=0)

    # Peers whose X-Forwarded-For is believed (the ingress); others are throttled by their address.
    trusted_proxy_hosts: list[str] = Field(default_factory=list)

    # The first platform admin, created by `migrate --bootstrap-admin` when none exists.
    bootstrap_admin_email: str = "platform@civicgrid.org"
    bootstrap_admin_password: SecretStr | None = None

    # Platform service clients, ensured in the platform tenant at every start (JSON list of
    # {client_id, secret, scopes}); one dropped from the list is disabled. With scope
    # tenants:act a client gets tokens in a named district (client credentials + tenant_id).
    service_clients: list[ServiceClientSetting] = Field(default_factory=list)
