"""known districts and binary geometry, for building every index fast at start

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row-level security: ids only, read across tenants by the index warm-up.
    op.create_table(
        "known_districts",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("district_unit_id", sa.UUID(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    # Districts imported before this table existed. The owner is subject to the tenant policy
    # too (FORCE), so it is lifted for this one statement, inside the migration's transaction.
    op.execute("ALTER TABLE units NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "INSERT INTO known_districts (tenant_id, district_unit_id, imported_at) "
        "SELECT tenant_id, id, created_at FROM units WHERE kind = 'district' "
        "AND retired_at IS NULL ON CONFLICT DO NOTHING"
    )
    op.execute("ALTER TABLE units FORCE ROW LEVEL SECURITY")
    # The geometry again as WKB: GEOS reads it ten times faster than GeoJSON text. Versions
    # written before have none; the index load parses their GeoJSON instead.
    op.add_column("unit_versions", sa.Column("geometry_wkb", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("unit_versions", "geometry_wkb")
    op.drop_table("known_districts")
