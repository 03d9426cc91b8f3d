"""Notifications' tables. Every tenant table carries tenant_id under row-level security.

A delivery is one message to one recipient on one channel, unique on (event, recipient,
channel): a redelivered event finds its deliveries already there and sends nothing twice. The
dispatcher claims due deliveries with `FOR UPDATE SKIP LOCKED`, so any number of replicas share
them; every try is an attempt row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from civicgrid_notifications.db.metadata import metadata, timers  # noqa: F401 - timers re-exported


def _now() -> Column[Any]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


# A district's own settings: its zone and language (from identity's tenant.created) and whether
# its webhooks may target internal addresses.
districts = Table(
    "districts",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("timezone", String(64), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("internal_webhooks", Boolean, nullable=False, server_default=text("false")),
    # The hour (district time) the officials' digest goes out.
    Column("digest_hour", SmallInteger, nullable=False, server_default=text("8")),
    CheckConstraint("digest_hour BETWEEN 0 AND 23", name="ck_districts_digest_hour"),
)

# A district's own wording of one event type on one channel in one language; where none is
# saved, the built-in template speaks.
templates = Table(
    "templates",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("subject", Text, nullable=False, server_default=""),
    Column("body", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("tenant_id", "event_type", "channel", "locale", name="uq_templates_key"),
)

# A person's choices: channels per category, quiet hours in their own zone, digest categories.
preferences = Table(
    "preferences",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("timezone", String(64)),
    Column("locale", String(16)),
    Column("quiet_start", Time),
    Column("quiet_end", Time),
    # {"category": ["inapp", "email", ...]}; a category not named keeps its defaults.
    Column("channels", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("digest_categories", ARRAY(String(32)), nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "person_id", name="pk_preferences"),
)

# People's names as identity announces them, for greetings ({{ recipient_name }}).
people = Table(
    "people",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("display_name", String(200), nullable=False),
    PrimaryKeyConstraint("tenant_id", "person_id", name="pk_people"),
)

# What notifications remembers of a ticket to know whom its later events concern.
tracked_tickets = Table(
    "tracked_tickets",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("ticket_id", UUID(as_uuid=True), nullable=False),
    Column("number", String(32), nullable=False, server_default=""),
    Column("category", String(64), nullable=False, server_default=""),
    Column("reporter_id", UUID(as_uuid=True)),
    Column("owner_unit_id", UUID(as_uuid=True)),
    Column("owner_department_id", UUID(as_uuid=True)),
    Column("owner_person_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("level", String(16), nullable=False, server_default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "ticket_id", name="pk_tracked_tickets"),
)

# Departments' contact addresses (from grid's department.changed).
departments = Table(
    "departments",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("department_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(200), nullable=False),
    Column("contact", String(320), nullable=False, server_default=""),
    PrimaryKeyConstraint("tenant_id", "department_id", name="pk_departments"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", String(64), nullable=False),
    # "person:<uuid>", "contact:<uuid>", "department:<uuid>": who, whatever the channel.
    Column("recipient", String(80), nullable=False),
    Column("person_id", UUID(as_uuid=True)),
    Column("channel", String(16), nullable=False),
    Column("category", String(32), nullable=False),
    Column("urgent", Boolean, nullable=False, server_default=text("false")),
    Column("locale", String(16), nullable=False),
    Column("subject", Text, nullable=False, server_default=""),
    Column("body", Text, nullable=False),
    # The phone number or email address, when known at queueing (contacts, departments);
    # a person's is looked up when sending.
    Column("address", String(320)),
    # queued, sending, sent, delivered, failed, suppressed
    Column("status", String(16), nullable=False),
    Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
    Column("max_attempts", SmallInteger, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("provider", String(64)),
    Column("provider_ref", String(128)),
    Column("last_error", Text),
    Column("alert_id", UUID(as_uuid=True)),
    _now(),
    Column("sent_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    UniqueConstraint("tenant_id", "event_id", "recipient", "channel", name="uq_deliveries_once"),
    CheckConstraint(
        "status IN ('queued','sending','sent','delivered','failed','suppressed')",
        name="ck_deliveries_status",
    ),
    # Queued deliveries are found through their timers; every index here is paid for by each
    # message stored (`make bench`), so each one serves a query that exists.
    Index("ix_deliveries_person", "tenant_id", "person_id", "created_at"),
    Index(
        "ix_deliveries_provider_ref",
        "provider_ref",
        postgresql_where=text("provider_ref IS NOT NULL"),
    ),
    Index("ix_deliveries_alert", "alert_id", postgresql_where=text("alert_id IS NOT NULL")),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column(
        "delivery_id",
        UUID(as_uuid=True),
        ForeignKey("deliveries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", SmallInteger, nullable=False),
    Column("provider", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    # sent, delivered, failed (the provider refused for good), error (try again)
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_delivery_attempts_delivery", "delivery_id"),
)

# The in-app inbox: what the console lists and streams.
inbox_messages = Table(
    "inbox_messages",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("delivery_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("category", String(32), nullable=False),
    Column("urgent", Boolean, nullable=False, server_default=text("false")),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("link", Text, nullable=False, server_default=""),
    _now(),
    Column("read_at", DateTime(timezone=True)),
    Index("ix_inbox_messages_person", "tenant_id", "person_id", "created_at"),
)

# Lines waiting for an official's daily digest (what breached, what is due).
digest_entries = Table(
    "digest_entries",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("line", Text, nullable=False),
    _now(),
    # The digest that carried it; NULL while waiting.
    Column("digest_day", Date),
    UniqueConstraint("tenant_id", "person_id", "event_id", name="uq_digest_entries_once"),
    Index(
        "ix_digest_entries_waiting",
        "tenant_id",
        "person_id",
        postgresql_where=text("digest_day IS NULL"),
    ),
)

CORE_TENANT_TABLES = (
    "districts",
    "templates",
    "preferences",
    "people",
    "tracked_tickets",
    "departments",
    "deliveries",
    "delivery_attempts",
    "inbox_messages",
    "digest_entries",
)

# Integrators' webhook subscriptions and the alert chain join the same metadata.
from civicgrid_notifications.db import tables_alerts, tables_webhooks  # noqa: E402

TENANT_TABLES: tuple[str, ...] = (
    CORE_TENANT_TABLES + tables_webhooks.TENANT_TABLES + tables_alerts.TENANT_TABLES
)
