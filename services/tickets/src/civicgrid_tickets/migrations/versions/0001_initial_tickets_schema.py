"""initial tickets schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 11:01:14.955831
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import UserDefinedType

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Frozen here on purpose: a migration must not change when the model module changes later.
TENANT_TABLES = (
    "categories",
    "tickets",
    "ticket_history",
    "ticket_numbers",
    "map_units",
    "map_departments",
    "role_holders",
)


class _Box(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "box"


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("default_priority", sa.String(length=2), nullable=False),
        sa.Column("handled_by", sa.String(length=16), server_default="grid", nullable=False),
        sa.Column("active", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_categories_tenant_code", "categories", ["tenant_id", "code"], unique=True)
    op.create_table(
        "event_inbox",
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("consumer_group", "event_id"),
    )
    op.create_index(
        "ix_event_inbox_processed_at",
        "event_inbox",
        ["processed_at"],
        unique=False,
        postgresql_using="brin",
    )
    op.create_table(
        "event_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("response_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('in_progress', 'completed')", name="idempotency_keys_state"),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_index("idempotency_keys_expires_at", "idempotency_keys", ["expires_at"], unique=False)
    op.create_table(
        "map_departments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("jurisdiction_unit_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("deleted", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_map_departments_categories",
        "map_departments",
        ["categories"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "map_units",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("ancestor_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=True),
        sa.Column("bbox", _Box(), nullable=True),
        sa.Column("retired", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_map_units_bbox", "map_units", ["bbox"], unique=False, postgresql_using="gist"
    )
    op.create_index("ix_map_units_tenant_kind", "map_units", ["tenant_id", "kind"], unique=False)
    op.create_table(
        "role_holders",
        sa.Column("binding_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("binding_id"),
    )
    op.create_index(
        "ix_role_holders_unit", "role_holders", ["tenant_id", "unit_id", "role"], unique=False
    )
    op.create_table(
        "ticket_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("ticket_id", sa.UUID(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_history_ticket", "ticket_history", ["ticket_id", "id"], unique=False)
    op.create_table(
        "ticket_numbers",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_index("uq_ticket_numbers", "ticket_numbers", ["tenant_id", "year"], unique=True)
    op.create_table(
        "tickets",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("reporter_person_id", sa.UUID(), nullable=True),
        sa.Column("contact", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("grid_id", sa.UUID(), nullable=True),
        sa.Column("ancestor_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("boundary_neighbour_grid_id", sa.UUID(), nullable=True),
        sa.Column("boundary_distance_m", sa.Float(), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("owner_unit_id", sa.UUID(), nullable=True),
        sa.Column("owner_department_id", sa.UUID(), nullable=True),
        sa.Column("previous_status", sa.String(length=32), nullable=True),
        sa.Column("merged_into", sa.UUID(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sla_policy_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("acknowledge_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_tickets_ancestors", "tickets", ["ancestor_ids"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_tickets_duplicates", "tickets", ["tenant_id", "category", "created_at"], unique=False
    )
    op.create_index(
        "ix_tickets_tenant_created", "tickets", ["tenant_id", "created_at"], unique=False
    )
    op.create_index("ix_tickets_tenant_status", "tickets", ["tenant_id", "status"], unique=False)
    op.create_index(
        "uq_tickets_idempotency",
        "tickets",
        ["tenant_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_index("uq_tickets_tenant_number", "tickets", ["tenant_id", "number"], unique=True)

    # Tenant isolation in the database itself: the runtime role sees only the bound tenant.
    for table in TENANT_TABLES:
        for statement in enable_tenant_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TENANT_TABLES:
        for statement in disable_tenant_rls(table):
            op.execute(statement)
    op.drop_index("uq_tickets_tenant_number", table_name="tickets")
    op.drop_index(
        "uq_tickets_idempotency",
        table_name="tickets",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index("ix_tickets_tenant_status", table_name="tickets")
    op.drop_index("ix_tickets_tenant_created", table_name="tickets")
    op.drop_index("ix_tickets_duplicates", table_name="tickets")
    op.drop_index("ix_tickets_ancestors", table_name="tickets", postgresql_using="gin")
    op.drop_table("tickets")
    op.drop_index("uq_ticket_numbers", table_name="ticket_numbers")
    op.drop_table("ticket_numbers")
    op.drop_index("ix_ticket_history_ticket", table_name="ticket_history")
    op.drop_table("ticket_history")
    op.drop_index("ix_role_holders_unit", table_name="role_holders")
    op.drop_table("role_holders")
    op.drop_index("ix_map_units_tenant_kind", table_name="map_units")
    op.drop_index("ix_map_units_bbox", table_name="map_units", postgresql_using="gist")
    op.drop_table("map_units")
    op.drop_index(
        "ix_map_departments_categories", table_name="map_departments", postgresql_using="gin"
    )
    op.drop_table("map_departments")
    op.drop_index("idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("event_outbox")
    op.drop_index("ix_event_inbox_processed_at", table_name="event_inbox", postgresql_using="brin")
    op.drop_table("event_inbox")
    op.drop_index("uq_categories_tenant_code", table_name="categories")
    op.drop_table("categories")
