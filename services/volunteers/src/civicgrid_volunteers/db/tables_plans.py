"""Where tasks come from besides staff: ticket categories that need volunteers, and weekly
visit plans. Both are tenant tables under row-level security, in the service's one `metadata`
(db/tables.py imports this module, so whoever loads the model loads these too)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from civicgrid_volunteers.db.tables import metadata

# A district's rule for one ticket category: the task its tickets need (title is a template).
ticket_task_rules = Table(
    "ticket_task_rules",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("category", String(64), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("title", String(200), nullable=False),
    # [{"code": str, "min_level": 1..5}]
    Column("skills", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("volunteers_needed", Integer, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("urgency", String(8), nullable=False),
    Column("needs_safeguarding", Boolean, nullable=False, server_default=text("false")),
    # From the report to the task's start.
    Column("delay_minutes", Integer, nullable=False, server_default=text("0")),
    Column("updated_by", String(200)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "category"),
    CheckConstraint(
        "minutes > 0 AND delay_minutes >= 0 AND volunteers_needed > 0",
        name="ck_ticket_task_rule_numbers",
    ),
)

# A weekly visit to an elderly person: weekday and start are local, in the district's zone.
visit_plans = Table(
    "visit_plans",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("client_person_id", UUID(as_uuid=True), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("grid_id", UUID(as_uuid=True)),
    Column("community_id", UUID(as_uuid=True)),
    Column("weekday", Integer, nullable=False),
    Column("start", Time, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("skills", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("needs_safeguarding", Boolean, nullable=False, server_default=text("true")),
    Column("volunteers_needed", Integer, nullable=False, server_default=text("1")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("stopped_at", DateTime(timezone=True)),
    CheckConstraint(
        "weekday BETWEEN 0 AND 6 AND minutes > 0 AND volunteers_needed > 0",
        name="ck_visit_plan_numbers",
    ),
    # Every week's task is put on the Mercator plane (tables.mercator_sql): no poles.
    CheckConstraint(
        "lat > -90 AND lat < 90 AND lon BETWEEN -180 AND 180", name="ck_visit_plan_place"
    ),
    Index("ix_visit_plans_client", "tenant_id", "client_person_id"),
    Index("ix_visit_plans_created", "tenant_id", "created_at", "id"),
)

PLAN_TENANT_TABLES = ("ticket_task_rules", "visit_plans")
