"""each district's own versions of its SLA policy, working calendar and evaluation formula

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from civicgrid_platform.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Version 1 of every kind is the built-in default and is not stored; published versions
    # start at 2 and are never changed, so the primary key is also what keeps two admins who
    # publish at once from taking the same number.
    op.create_table(
        "tenant_rules",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sla_policy', 'calendar', 'evaluation_formula')", name="ck_tenant_rules_kind"
        ),
        sa.CheckConstraint("version >= 2", name="ck_tenant_rules_version"),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "version", name="tenant_rules_pkey"),
    )
    for statement in enable_tenant_rls("tenant_rules"):
        op.execute(statement)
    # Tickets and snapshots name the version they were made under: a published version must
    # read the same for ever, whoever connects.
    op.execute(
        "CREATE FUNCTION tenant_rules_are_immutable() RETURNS trigger LANGUAGE plpgsql AS"
        " $$BEGIN RAISE EXCEPTION 'a published rule version is never changed or deleted'"
        " USING ERRCODE = 'restrict_violation'; END$$"
    )
    op.execute(
        "CREATE TRIGGER tenant_rules_immutable BEFORE UPDATE OR DELETE ON tenant_rules"
        " FOR EACH ROW EXECUTE FUNCTION tenant_rules_are_immutable()"
    )


def downgrade() -> None:
    for statement in disable_tenant_rls("tenant_rules"):
        op.execute(statement)
    op.drop_table("tenant_rules")
    op.execute("DROP FUNCTION tenant_rules_are_immutable()")
