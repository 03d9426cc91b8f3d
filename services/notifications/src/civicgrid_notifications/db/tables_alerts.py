"""The emergency-alert chain's tables: the people it protects (care profiles and their devices),
who is on duty, each district's escalation policy, the alerts with everyone asked and every
step on their timeline, and the device presses seen (so a replayed press is refused)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from civicgrid_notifications.db.metadata import metadata

# Where an elderly person living alone is found, and how often their device checks in.
care_profiles = Table(
    "care_profiles",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("phone", String(32), nullable=False, server_default=""),
    Column("grid_id", UUID(as_uuid=True)),
    Column("address", Text, nullable=False, server_default=""),
    Column("lat", Float),
    Column("lon", Float),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "person_id", name="pk_care_profiles"),
)

# A bound alert device as the chain watches it: its heartbeat and whether it went silent.
alert_devices = Table(
    "alert_devices",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("heartbeat_seconds", Integer, nullable=False, server_default=text("3600")),
    Column("last_seen_at", DateTime(timezone=True)),
    Column("offline_since", DateTime(timezone=True)),
    PrimaryKeyConstraint("tenant_id", "device_id", name="pk_alert_devices"),
    CheckConstraint("heartbeat_seconds BETWEEN 60 AND 604800", name="ck_alert_devices_heartbeat"),
)

# Presses seen, by their nonce: a press replayed (same nonce) is refused.
device_presses = Table(
    "device_presses",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("pressed_at", DateTime(timezone=True), nullable=False),
    Column("alert_id", UUID(as_uuid=True)),
    PrimaryKeyConstraint("tenant_id", "device_id", "nonce", name="pk_device_presses"),
)

# Who is on duty for a unit (a community; NULL unit = the district): worker, backup,
# supervisor, desk. Without a roster the chain asks identity's role holders.
alert_duty = Table(
    "alert_duty",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("duty", String(16), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    PrimaryKeyConstraint("tenant_id", "unit_id", "duty", "position", name="pk_alert_duty"),
    CheckConstraint("duty IN ('worker','backup','supervisor','desk')", name="ck_alert_duty_duty"),
)

# A district's escalation timings; frozen onto each alert when it is raised.
alert_policies = Table(
    "alert_policies",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("step1_after_seconds", Integer, nullable=False),
    Column("step2_after_seconds", Integer, nullable=False),
    Column("on_site_within_seconds", Integer, nullable=False),
    Column("volunteers_asked", SmallInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("device_id", String(64), nullable=False, server_default=""),
    # device, worker, drill
    Column("source", String(16), nullable=False),
    Column("drill", Boolean, nullable=False, server_default=text("false")),
    # raised, acknowledged, on_site, resolved
    Column("status", String(16), nullable=False),
    Column("step", SmallInteger, nullable=False, server_default=text("0")),
    Column("policy", JSONB, nullable=False),
    Column("person_name", String(200), nullable=False, server_default=""),
    Column("grid_id", UUID(as_uuid=True)),
    Column("address", Text, nullable=False, server_default=""),
    Column("lat", Float),
    Column("lon", Float),
    Column("raised_by", String(80), nullable=False, server_default=""),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("step_started_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_by", String(80)),
    Column("acknowledged_name", String(200)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("on_site_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
    Column("note", Text),
    CheckConstraint(
        "status IN ('raised','acknowledged','on_site','resolved')", name="ck_alerts_status"
    ),
    Index(
        "ix_alerts_open", "tenant_id", "raised_at", postgresql_where=text("status <> 'resolved'")
    ),
    Index("ix_alerts_person", "tenant_id", "person_id", "raised_at"),
)

# Everyone the chain asked: people (person:<id>) and family contacts (contact:<id>).
alert_responders = Table(
    "alert_responders",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column(
        "alert_id", UUID(as_uuid=True), ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("responder", String(80), nullable=False),
    Column("person_id", UUID(as_uuid=True)),
    Column("name", String(200), nullable=False),
    Column("phone", String(32), nullable=False, server_default=""),
    # worker, grid_staff, family, backup, volunteer, supervisor, desk
    Column("role", String(16), nullable=False),
    Column("step", SmallInteger, nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("alert_id", "responder", name="pk_alert_responders"),
)

alert_timeline = Table(
    "alert_timeline",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column(
        "alert_id", UUID(as_uuid=True), ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("step", SmallInteger),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_alert_timeline_alert", "alert_id", "id"),
)

TENANT_TABLES: tuple[str, ...] = (
    "care_profiles",
    "alert_devices",
    "device_presses",
    "alert_duty",
    "alert_policies",
    "alerts",
    "alert_responders",
    "alert_timeline",
)
