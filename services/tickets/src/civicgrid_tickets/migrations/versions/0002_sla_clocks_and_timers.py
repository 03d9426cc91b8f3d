"""SLA clocks on tickets and the timers table

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tickets",
        sa.Column(
            "sla_clocks",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    # No row-level security: ids and instants only, claimed across districts by the sweep.
    op.create_table(
        "sla_timers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("ticket_id", sa.UUID(), nullable=False),
        sa.Column("clock", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sla_timers_due", "sla_timers", ["due_at"], unique=False)
    op.create_index("ix_sla_timers_ticket", "sla_timers", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sla_timers_ticket", table_name="sla_timers")
    op.drop_index("ix_sla_timers_due", table_name="sla_timers")
    op.drop_table("sla_timers")
    op.drop_column("tickets", "sla_clocks")
