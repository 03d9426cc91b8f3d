"""joint meetings, their agendas and commitments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration must not change when the model module changes later.
TENANT_TABLES = ("meetings", "meeting_items", "commitments")


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("department_ids", sa.ARRAY(sa.UUID()), nullable=False),
        sa.Column("unit_ids", sa.ARRAY(sa.UUID()), nullable=False),
        sa.Column("minutes", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meetings_tenant_held", "meetings", ["tenant_id", "held_at"])
    op.create_table(
        "meeting_items",
        sa.Column("meeting_id", sa.UUID(), nullable=False),
        sa.Column("ticket_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "ticket_id"),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("meeting_id", sa.UUID(), nullable=False),
        sa.Column("ticket_id", sa.UUID(), nullable=False),
        sa.Column("department_id", sa.UUID(), nullable=False),
        sa.Column("responsible", sa.String(length=100), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_commitments_ticket", "commitments", ["tenant_id", "ticket_id"])
    op.create_index(
        "ix_commitments_department_due", "commitments", ["tenant_id", "department_id", "due_at"]
    )
    for table in TENANT_TABLES:
        for statement in enable_tenant_rls(table):
            op.execute(statement)
    # A commitment's deadline is swept like the SLA timers.
    op.add_column("sla_timers", sa.Column("commitment_id", sa.UUID(), nullable=True))


def downgrade() -> None:
    for table in TENANT_TABLES:
        for statement in disable_tenant_rls(table):
            op.execute(statement)
    op.drop_column("sla_timers", "commitment_id")
    op.drop_table("commitments")
    op.drop_table("meeting_items")
    op.drop_table("meetings")
