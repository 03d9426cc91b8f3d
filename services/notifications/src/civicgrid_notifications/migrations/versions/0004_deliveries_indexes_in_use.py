"""Deliveries keep only the indexes a query uses.

Queued deliveries are found through their timers, so the index of due deliveries served no
query; provider references are looked up only where a provider gave one.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_index("ix_deliveries_provider_ref", table_name="deliveries")
    op.create_index(
        "ix_deliveries_provider_ref",
        "deliveries",
        ["provider_ref"],
        postgresql_where=sa.text("provider_ref IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_provider_ref", table_name="deliveries")
    op.create_index("ix_deliveries_provider_ref", "deliveries", ["provider_ref"])
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'queued'"),
    )
