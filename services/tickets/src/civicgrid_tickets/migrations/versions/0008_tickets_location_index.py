"""a spatial index on where tickets were reported

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 13:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The duplicate check asks for the reports within ~100 m of a point: without this index it
    # reads every recent report of the category in the district, thousands per new report.
    op.execute(
        "CREATE INDEX ix_tickets_location ON tickets USING gist (point(lon, lat))"
        " WHERE lat IS NOT NULL AND lon IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_location", table_name="tickets")
