"""the directory of districts by slug, for Open311's jurisdiction_id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row-level security: slugs and ids only, read before any tenant is known.
    op.create_table(
        "jurisdictions",
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
        sa.UniqueConstraint("tenant_id"),
    )


def downgrade() -> None:
    op.drop_table("jurisdictions")
