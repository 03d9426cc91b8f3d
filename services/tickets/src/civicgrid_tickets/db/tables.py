"""Tickets' tables: the tickets and their history, the categories residents choose from, and the
read models intake routes with (the grid registry's map and departments, identity's role
holders), kept from those services' events so intake never waits on them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.types import UserDefinedType

from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.http.idempotency.table import idempotency_table
from civicgrid_tickets.domain.geo import CELL_SQL

metadata = MetaData()


class Box(UserDefinedType):
    """PostgreSQL's built-in box: a GiST index on it finds the boxes holding a point."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "box"


def _tenant() -> Column:
    return Column("tenant_id", UUID(as_uuid=True), nullable=False)


def _uuid_pk() -> Column:
    return Column(
        "id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )


categories = Table(
    "categories",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    # [{code, datatype, required, description, values: [{key, name}]}]
    Column("attributes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("default_priority", String(2), nullable=False),
    # grid: the grid's staff own it; department: the department routed for the category does.
    Column("handled_by", String(16), nullable=False, server_default="grid"),
    Column("active", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("uq_categories_tenant_code", "tenant_id", "code", unique=True),
)

tickets = Table(
    "tickets",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("number", String(32), nullable=False),
    Column("category", String(64), nullable=False),
    Column("priority", String(2), nullable=False),
    Column("status", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("address", Text),
    # The cell of the point (domain.geo.cell_of), computed by the database.
    Column("location_cell", BigInteger, Computed(CELL_SQL, persisted=True)),
    Column("attributes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("reporter_person_id", UUID(as_uuid=True)),
    # Anonymous reports: {name, phone, email}; never shown to other residents.
    Column("contact", JSONB),
    # Where intake placed it: the grid and its ancestors (nearest first), as of intake.
    Column("grid_id", UUID(as_uuid=True)),
    Column("ancestor_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("boundary_neighbour_grid_id", UUID(as_uuid=True)),
    Column("boundary_distance_m", Float),
    Column("resolved_by", String(16)),  # local | registry | alert | none
    # Who holds it: a level of the chain and its unit, or a department.
    Column("level", String(16), nullable=False),
    Column("owner_unit_id", UUID(as_uuid=True)),
    Column("owner_department_id", UUID(as_uuid=True)),
    Column("previous_status", String(32)),
    Column("merged_into", UUID(as_uuid=True)),
    Column("rating", Integer),
    Column("rating_comment", Text),
    Column("reopen_count", Integer, nullable=False, server_default=text("0")),
    # What the monthly evaluation counts: met deadlines, and how far up the chain it went.
    Column("acknowledged_in_time", Boolean),
    Column("resolved_in_time", Boolean),
    Column("highest_level", String(16), nullable=False, server_default="grid"),
    # The SLA policy version the ticket started with, and its two deadlines (None while paused).
    Column("sla_policy_version", Integer, nullable=False, server_default=text("1")),
    Column("acknowledge_due_at", DateTime(timezone=True)),
    Column("resolve_due_at", DateTime(timezone=True)),
    # The two SLA clocks (domain.sla_state.TicketClocks), from which the deadlines above come.
    Column("sla_clocks", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # A retried internal submission (gRPC CreateTicket) finds the ticket it made the first time.
    Column("idempotency_key", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Index("uq_tickets_tenant_number", "tenant_id", "number", unique=True),
    Index("ix_tickets_tenant_created", "tenant_id", "created_at"),
    Index("ix_tickets_tenant_status", "tenant_id", "status"),
    Index("ix_tickets_ancestors", "ancestor_ids", postgresql_using="gin"),
    # The duplicate check's "recent reports of this category near here" (domain.geo cells).
    Index(
        "ix_tickets_nearby",
        "tenant_id",
        "category",
        "location_cell",
        "created_at",
        postgresql_where=text("location_cell IS NOT NULL"),
    ),
    Index(
        "uq_tickets_idempotency",
        "tenant_id",
        "idempotency_key",
        unique=True,
        postgresql_where=text("idempotency_key IS NOT NULL"),
    ),
)

ticket_photos = Table(
    "ticket_photos",
    metadata,
    Column("ticket_id", UUID(as_uuid=True), primary_key=True),
    Column("n", Integer, primary_key=True),  # 1..5, in upload order
    _tenant(),
    Column("blob_key", String(255), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

ticket_history = Table(
    "ticket_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _tenant(),
    Column("ticket_id", UUID(as_uuid=True), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", String(64)),  # a person id, or "system"
    Column("action", String(32), nullable=False),
    Column("from_status", String(32)),
    Column("to_status", String(32)),
    Column("note", Text),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_ticket_history_ticket", "ticket_id", "id"),
)

# The next ticket number per tenant and year (row locked by the insert that takes one).
ticket_numbers = Table(
    "ticket_numbers",
    metadata,
    _tenant(),
    Column("year", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    Index("uq_ticket_numbers", "tenant_id", "year", unique=True),
)

# Joint meetings (联席会议) at community, street, district or city level: an agenda of tickets
# and the commitments departments make on them.
meetings = Table(
    "meetings",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("level", String(16), nullable=False),
    Column("unit_id", UUID(as_uuid=True)),  # None: the city
    Column("title", String(200), nullable=False),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("department_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("unit_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("minutes", Text, nullable=False, server_default=""),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_meetings_tenant_held", "tenant_id", "held_at"),
)

meeting_items = Table(
    "meeting_items",
    metadata,
    Column("meeting_id", UUID(as_uuid=True), primary_key=True),
    Column("ticket_id", UUID(as_uuid=True), primary_key=True),
    _tenant(),
    Column("reason", String(32), nullable=False),  # escalated | overdue | added
    Column("added_by", String(64), nullable=False),
)

commitments = Table(
    "commitments",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("meeting_id", UUID(as_uuid=True), nullable=False),
    Column("ticket_id", UUID(as_uuid=True), nullable=False),
    Column("department_id", UUID(as_uuid=True), nullable=False),
    Column("responsible", String(100), nullable=False),
    Column("action", Text, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("overdue_at", DateTime(timezone=True)),  # flagged by the sweep when it ran late
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_commitments_ticket", "tenant_id", "ticket_id"),
    Index("ix_commitments_department_due", "tenant_id", "department_id", "due_at"),
)

# A month's evaluation, stored when the month closes: one row per unit, and the closing itself.
evaluations = Table(
    "evaluations",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column("parent_id", UUID(as_uuid=True)),
    Column("level", String(16), nullable=False),
    Column("formula_version", Integer, nullable=False),
    Column("received", Integer, nullable=False),
    Column("score", Float),
    Column("rank", Integer),
    Column("unranked_reason", String(64)),
    Column("figures", JSONB, nullable=False),
    Column("counts", JSONB, nullable=False),
)

evaluation_closings = Table(
    "evaluation_closings",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("formula_version", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(64), nullable=False),
)

# The districts' own figures per month, across tenants: the city-level view (no unit detail).
district_scores = Table(
    "district_scores",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("district_unit_id", UUID(as_uuid=True), nullable=False),
    Column("received", Integer, nullable=False),
    Column("score", Float),
    Column("figures", JSONB, nullable=False),
)

# Each district's published rules: SLA policies, working calendars and evaluation formulas, each
# kind numbered from 2 (version 1 is the built-in default, not stored). Never updated: a ticket
# or a month's snapshot names the version it used, which must read the same forever.
tenant_rules = Table(
    "tenant_rules",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("kind", Text, primary_key=True),  # sla_policy | calendar | evaluation_formula
    Column("version", Integer, primary_key=True),
    Column("body", JSONB, nullable=False),  # as the domain's from_dict reads it, without version
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(64), nullable=False),
    CheckConstraint(
        "kind IN ('sla_policy', 'calendar', 'evaluation_formula')", name="ck_tenant_rules_kind"
    ),
    CheckConstraint("version >= 2", name="ck_tenant_rules_version"),
)

# --- read models -------------------------------------------------------------------------

# The grid registry's units as its events describe them; grids keep their polygon (WKB) and its
# bounding box, which a GiST index answers "which grids could hold this point" with.
map_units = Table(
    "map_units",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    _tenant(),
    Column("kind", String(16), nullable=False),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("parent_id", UUID(as_uuid=True)),
    Column("ancestor_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("version", Integer, nullable=False),
    Column("geometry_wkb", LargeBinary),
    Column("bbox", Box()),
    Column("retired", Integer, nullable=False, server_default=text("0")),
    Index("ix_map_units_tenant_kind", "tenant_id", "kind"),
    Index("ix_map_units_bbox", "bbox", postgresql_using="gist"),
)

map_departments = Table(
    "map_departments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("contact", String(200), nullable=False),
    Column("categories", ARRAY(String(64)), nullable=False),
    Column("jurisdiction_unit_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("deleted", Integer, nullable=False, server_default=text("0")),
    Index("ix_map_departments_categories", "categories", postgresql_using="gin"),
)

role_holders = Table(
    "role_holders",
    metadata,
    Column("binding_id", String(64), primary_key=True),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("role", String(64), nullable=False),
    Column("unit_id", UUID(as_uuid=True)),  # None: tenant-wide
    Index("ix_role_holders_unit", "tenant_id", "unit_id", "role"),
)

# Due SLA warnings and breaches: ids and instants only, claimed across districts by whichever
# replica sweeps first (FOR UPDATE SKIP LOCKED), so no replica keeps a timer in memory. A
# ticket's rows are replaced whenever its clocks change, so a row that exists is current.
sla_timers = Table(
    "sla_timers",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("ticket_id", UUID(as_uuid=True), nullable=False),
    Column("clock", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    # Set for a joint-meeting commitment's deadline (clock "commitment").
    Column("commitment_id", UUID(as_uuid=True)),
    Index("ix_sla_timers_due", "due_at"),
    Index("ix_sla_timers_ticket", "ticket_id"),
)

# Districts by their public slug (identity's tenant.created): Open311's jurisdiction_id names
# a district before any tenant is known, so this directory is read across tenants.
jurisdictions = Table(
    "jurisdictions",
    metadata,
    Column("slug", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)

# Deliberately without a tenant policy: cross-tenant mechanism tables holding ids and instants.
PLATFORM_TABLES = frozenset(
    {
        outbox.name,
        inbox.name,
        idempotency.name,
        sla_timers.name,
        district_scores.name,
        jurisdictions.name,
    }
)
