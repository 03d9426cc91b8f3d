"""photos on tickets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_photos",
        sa.Column("ticket_id", sa.UUID(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("blob_key", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "n"),
    )
    for statement in enable_tenant_rls("ticket_photos"):
        op.execute(statement)


def downgrade() -> None:
    for statement in disable_tenant_rls("ticket_photos"):
        op.execute(statement)
    op.drop_table("ticket_photos")
