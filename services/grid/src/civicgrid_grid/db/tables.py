"""Grid's tables. A unit's identity (id, kind, code) never changes; what it looks like over time
lives in unit_versions, so a boundary change adds a version instead of rewriting history."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
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

from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.http.idempotency.table import idempotency_table

metadata = MetaData()


def _tenant() -> Column:
    return Column("tenant_id", UUID(as_uuid=True), nullable=False)


units = Table(
    "units",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    _tenant(),
    Column("kind", String(16), nullable=False),
    Column("code", String(64), nullable=False),
    # The current hierarchy; history keeps each version's parent.
    Column("parent_id", UUID(as_uuid=True), ForeignKey("units.id")),
    # Nearest first, ending with the district: ancestors and descendants in one indexed query.
    Column("ancestor_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True)),
    Index("uq_units_tenant_code", "tenant_id", "code", unique=True),
    Index("ix_units_parent", "tenant_id", "parent_id"),
    Index("ix_units_ancestors", "ancestor_ids", postgresql_using="gin"),
)

unit_versions = Table(
    "unit_versions",
    metadata,
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    _tenant(),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True)),
    Column("parent_id", UUID(as_uuid=True)),
    Column("name", String(200), nullable=False),
    Column("address", Text),
    # Lower-cased, punctuation and spaces removed: what ResolveAddress matches against.
    Column("address_key", Text),
    Column("attributes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("geometry", JSONB),  # GeoJSON geometry
    # The same geometry as WKB, what the index loads at start (GEOS reads it fastest).
    Column("geometry_wkb", LargeBinary),
    Index(
        "uq_unit_versions_current",
        "unit_id",
        unique=True,
        postgresql_where=text("valid_to IS NULL"),
    ),
    Index("ix_unit_versions_address_key", "tenant_id", "address_key"),
)

departments = Table(
    "departments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("contact", String(200), nullable=False),
    Column("categories", ARRAY(String(64)), nullable=False),
    # Empty: the whole district.
    Column("jurisdiction_unit_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_departments_categories", "categories", postgresql_using="gin"),
)

# Which tenants hold a district: ids only, no map data. Read across tenants at start, so every
# replica warms the index of every district before it takes traffic.
known_districts = Table(
    "known_districts",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("district_unit_id", UUID(as_uuid=True), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)

# Deliberately without a tenant policy: cross-tenant by nature (the platform's mechanism tables
# and the list of districts), holding no tenant's data.
PLATFORM_TABLES = frozenset({outbox.name, inbox.name, idempotency.name, known_districts.name})
