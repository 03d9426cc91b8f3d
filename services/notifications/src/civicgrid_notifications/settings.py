"""Notifications' settings: the platform base plus channels, providers and the other services."""

from __future__ import annotations

from pydantic import Field, SecretStr

from civicgrid_platform.settings import PlatformSettings


class NotificationsSettings(PlatformSettings):
    service_name: str = "notifications"
    http_port: int = Field(default=8005, ge=0, le=65535)
    grpc_port: int = Field(default=50065, ge=0, le=65535)
    # Where a district without its own setting reads quiet hours, and which templates it gets.
    default_timezone: str = "Asia/Shanghai"
    default_locale: str = "zh-CN"

    # Other services (gRPC): people, role holders and emergency contacts; the nearest volunteers.
    identity_grpc_target: str = "127.0.0.1:50101"
    volunteers_grpc_target: str = "127.0.0.1:50104"
    # Identity's token endpoint and this service's own client, which acts in one district at a
    # time (client credentials with tenant_id); empty: no calls on a district's behalf.
    identity_url: str = "http://127.0.0.1:8101"
    service_client_id: str = ""
    service_client_secret: SecretStr = SecretStr("")

    # Email over SMTP.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = "CivicGrid <no-reply@civicgrid.local>"
    # SMS and voice through HTTP providers, tried in this order when one fails.
    sms_providers: list[str] = Field(default_factory=list)
    voice_providers: list[str] = Field(default_factory=list)
    provider_token: SecretStr = SecretStr("")
    provider_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # This service as the providers reach it (status callbacks, SMS replies, key presses).
    public_url: str = "http://127.0.0.1:8105"

    # Deliveries: attempts before giving up, and the backoff between them.
    delivery_max_attempts: int = Field(default=6, ge=1, le=50)
    retry_base_seconds: float = Field(default=5.0, gt=0, le=3600)
    retry_max_seconds: float = Field(default=1800.0, gt=0, le=86400)
    # Webhooks: loops and requests in flight per process, connections per endpoint, timeouts
    # (per phase, and per attempt: well under the two-minute lease).
    webhook_dispatch_interval_seconds: float = Field(default=0.5, gt=0, le=60)
    webhook_dispatch_loops: int = Field(default=2, ge=1, le=16)
    webhook_concurrency: int = Field(default=64, ge=1, le=1024)
    webhook_connections_per_endpoint: int = Field(default=8, ge=1, le=256)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_deadline_seconds: float = Field(default=30.0, gt=0, le=90)
    dispatch_interval_seconds: float = Field(default=0.5, gt=0, le=60)
    timers_interval_seconds: float = Field(default=1.0, gt=0, le=3600)
    consumer_max_batch: int = Field(
        default=2000,
        ge=1,
        le=10_000,
        description="events applied in one transaction: a batch's rows go in one statement per "
        "table, so larger batches share that fixed cost (`make bench`)",
    )
    # Retention: finished work older than these goes (usecases.retention), once a day per
    # district, in bounded batches.
    retention_deliveries_days: int = Field(
        default=90,
        ge=14,
        le=3650,
        description="days a finished delivery (delivered, failed, suppressed) and its attempts "
        "are kept; an in-app one at least as long as its inbox message",
    )
    retention_read_inbox_days: int = Field(
        default=180,
        ge=14,
        le=3650,
        description="days a read in-app message is kept; unread ones are kept until read",
    )
    retention_webhook_messages_days: int = Field(
        default=30,
        ge=14,
        le=3650,
        description="days a delivered or failed webhook message and its attempts are kept (the "
        "delivery log, and what can be replayed)",
    )
    retention_batch_size: int = Field(
        default=5000,
        ge=100,
        le=50_000,
        description="rows the purge deletes per statement (one short transaction each)",
    )
