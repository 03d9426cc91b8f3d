"""reports found by neighbourhood: a cell per report and an index on it

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

# domain.geo.CELL_SQL as of this revision (a migration never follows later code).
_CELL = "(floor(lat * 1000)::bigint + 90000) * 400000 + (floor(lon * 1000)::bigint + 180000)"


def upgrade() -> None:
    # The duplicate check asks for recent reports of a category within ~100 m of a point. By
    # (district, category, time) alone it read every recent report of the category in the
    # district, thousands per new report; by cell it reads the dozen cells around the point.
    op.execute(
        f"ALTER TABLE tickets ADD COLUMN location_cell bigint GENERATED ALWAYS AS ({_CELL}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_tickets_nearby ON tickets (tenant_id, category, location_cell, created_at)"
        " WHERE location_cell IS NOT NULL"
    )
    op.drop_index("ix_tickets_duplicates", table_name="tickets")


def downgrade() -> None:
    op.create_index("ix_tickets_duplicates", "tickets", ["tenant_id", "category", "created_at"])
    op.drop_index("ix_tickets_nearby", table_name="tickets")
    op.drop_column("tickets", "location_cell")
