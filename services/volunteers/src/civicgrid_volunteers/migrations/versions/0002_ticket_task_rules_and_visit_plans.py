"""ticket task rules and visit plans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration must not change when the model module changes later.
TENANT_TABLES = ("ticket_task_rules", "visit_plans")


def upgrade() -> None:
    op.create_table(
        "ticket_task_rules",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "skills",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("volunteers_needed", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column(
            "needs_safeguarding", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("delay_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "minutes > 0 AND delay_minutes >= 0 AND volunteers_needed > 0",
            name="ck_ticket_task_rule_numbers",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "category"),
    )
    op.create_table(
        "visit_plans",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("client_person_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("grid_id", sa.UUID(), nullable=True),
        sa.Column("community_id", sa.UUID(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column(
            "skills",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "needs_safeguarding", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("volunteers_needed", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6 AND minutes > 0 AND volunteers_needed > 0",
            name="ck_visit_plan_numbers",
        ),
        sa.CheckConstraint(
            "lat > -90 AND lat < 90 AND lon BETWEEN -180 AND 180", name="ck_visit_plan_place"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_visit_plans_client", "visit_plans", ["tenant_id", "client_person_id"], unique=False
    )
    op.create_index(
        "ix_visit_plans_created", "visit_plans", ["tenant_id", "created_at", "id"], unique=False
    )
    for table in TENANT_TABLES:
        for statement in enable_tenant_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TENANT_TABLES:
        for statement in disable_tenant_rls(table):
            op.execute(statement)
    op.drop_index("ix_visit_plans_created", table_name="visit_plans")
    op.drop_index("ix_visit_plans_client", table_name="visit_plans")
    op.drop_table("visit_plans")
    op.drop_table("ticket_task_rules")
