"""Integrators' webhook subscriptions, the messages queued for them and every attempt to send one.

A message is one event for one subscription, unique on (subscription, event): a redelivered
event queues nothing twice. Its id is the `webhook-id` receivers dedupe on, the same on every
retry and replay, and its body is written once, so every attempt signs the same bytes. Which
messages are due is kept in the timers table (kind WEBHOOK_TIMER, one per waiting message):
that table is cross-tenant, so dispatchers lease due messages of every district with
`FOR UPDATE SKIP LOCKED` while these rows stay under row-level security."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from civicgrid_notifications.db.metadata import metadata

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("url", Text, nullable=False),
    Column("description", String(200), nullable=False, server_default=""),
    # CloudEvent types or prefixes ending in ".*"; empty: every event.
    Column("event_types", ARRAY(String(128)), nullable=False, server_default="{}"),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    # gone (the endpoint answered 410), failing (five days of failures), or NULL.
    Column("disabled_reason", String(16)),
    Column("disabled_at", DateTime(timezone=True)),
    # The first failure since the last success; NULL while the endpoint answers.
    Column("failing_since", DateTime(timezone=True)),
    # The signing secret sealed under the service key (civicgrid_platform.sealing, purpose
    # WEBHOOK_SECRET_PURPOSE), bound to the subscription's id; and the secret before the last
    # rotation, signing beside the new one until it expires.
    Column("secret_sealed", LargeBinary),
    Column("previous_secret_sealed", LargeBinary),
    Column("previous_secret_expires_at", DateTime(timezone=True)),
    # Plaintext, as releases before sealing stored it (and as one still running beside this one
    # during a rolling update writes it). A row holding it reads it rather than the sealed
    # columns; the district's daily upkeep seals it and clears it (usecases.webhook_secrets).
    # Dropped by a later release, once no row holds one.
    Column("secret", String(128)),
    Column("previous_secret", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_webhook_subscriptions_list", "tenant_id", "created_at", "id"),
    CheckConstraint(
        "secret_sealed IS NOT NULL OR secret IS NOT NULL", name="ck_webhook_subscriptions_secret"
    ),
)

webhook_messages = Table(
    "webhook_messages",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column(
        "subscription_id",
        UUID(as_uuid=True),
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", String(128), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    # Attempts in the current round (a replay starts a new one); the log keeps them all.
    Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_status_code", Integer),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_messages_once"),
    CheckConstraint(
        "status IN ('pending','delivered','failed')", name="ck_webhook_messages_status"
    ),
    Index("ix_webhook_messages_log", "subscription_id", "created_at", "id"),
    Index(
        "ix_webhook_messages_failed",
        "subscription_id",
        "created_at",
        postgresql_where=text("status = 'failed'"),
    ),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column(
        "message_id",
        UUID(as_uuid=True),
        ForeignKey("webhook_messages.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", SmallInteger, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    # delivered, failed (an answer other than 2xx), gone (410), error (no answer: timeout,
    # refused connection, address refused by the SSRF guard)
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer),
    Column("error", Text, nullable=False, server_default=""),
    # The start of the endpoint's answer, for the integrator's debugging.
    Column("response", Text, nullable=False, server_default=""),
    Index("ix_webhook_attempts_message", "message_id", "id"),
)

TENANT_TABLES: tuple[str, ...] = ("webhook_subscriptions", "webhook_messages", "webhook_attempts")
