"""monthly evaluation: what tickets keep for it, the stored snapshots and the city view

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration must not change when the model module changes later.
TENANT_TABLES = ("evaluations", "evaluation_closings")


def upgrade() -> None:
    op.add_column("tickets", sa.Column("acknowledged_in_time", sa.Boolean(), nullable=True))
    op.add_column("tickets", sa.Column("resolved_in_time", sa.Boolean(), nullable=True))
    op.add_column(
        "tickets",
        sa.Column("highest_level", sa.String(length=16), server_default="grid", nullable=False),
    )
    op.execute("UPDATE tickets SET highest_level = level WHERE level <> 'grid'")
    op.create_table(
        "evaluations",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=False),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("formula_version", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("unranked_reason", sa.String(length=64), nullable=True),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "month", "unit_id"),
    )
    op.create_table(
        "evaluation_closings",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("formula_version", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "month"),
    )
    # No row-level security: each district's own headline figures, for the city-level view.
    op.create_table(
        "district_scores",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("district_unit_id", sa.UUID(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "month"),
    )
    for table in TENANT_TABLES:
        for statement in enable_tenant_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in TENANT_TABLES:
        for statement in disable_tenant_rls(table):
            op.execute(statement)
    op.drop_table("district_scores")
    op.drop_table("evaluation_closings")
    op.drop_table("evaluations")
    op.drop_column("tickets", "highest_level")
    op.drop_column("tickets", "resolved_in_time")
    op.drop_column("tickets", "acknowledged_in_time")
