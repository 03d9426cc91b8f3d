"""webhook secrets sealed, districts upkeep

Webhook secrets are stored sealed under the service key (`secret_sealed`,
`previous_secret_sealed`: AES-GCM bytes, usecases.webhook_secrets). The plaintext columns stay
for now, nullable (expand, then contract: docs/ops/upgrades.md): the release before this one,
still running during the rolling update, reads and writes them; this release reads plaintext
where a row holds it, and seals and clears it. A later release drops them.

Existing plaintext secrets are NOT sealed here, on purpose: Alembic is handed the owner DSN and
nothing else (civicgrid_platform.migrate), so this migration cannot see CIVICGRID_SECRET_KEY,
and sealing under a key read some other way that differed from the service's would make every
secret unreadable for good (they are shown once and never again). Refusing to upgrade while any
subscription exists would leave installations no way forward but deleting their integrations.
So the service seals them, with the very key it opens them with: every district's upkeep timer
(kind "retention", its subject the district) is set due at once here, and its first pass seals
the district's plaintext secrets (then purges old finished work; daily after that).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 19:41:52.379111
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration must not change when the model module changes later.
UPKEEP_TIMER = "retention"
# The districts known to the service: its read model, and those with subscriptions, messages
# or deliveries (one index probe per district along each table's tenant_id-led index).
_DISTRICT_TABLES = ("districts", "webhook_subscriptions", "deliveries", "inbox_messages")


def _districts_of(table: str) -> str:
    # Table names from _DISTRICT_TABLES only, never input.
    return (
        "SELECT tenant_id FROM (WITH RECURSIVE d AS ("  # noqa: S608
        f" (SELECT tenant_id FROM {table} ORDER BY tenant_id LIMIT 1)"
        " UNION ALL"
        f" SELECT (SELECT t.tenant_id FROM {table} t WHERE t.tenant_id > d.tenant_id"
        " ORDER BY t.tenant_id LIMIT 1) FROM d WHERE d.tenant_id IS NOT NULL)"
        f" SELECT tenant_id FROM d WHERE tenant_id IS NOT NULL) AS {table}_districts"
    )


def upgrade() -> None:
    op.add_column(
        "webhook_subscriptions", sa.Column("secret_sealed", sa.LargeBinary(), nullable=True)
    )
    op.add_column(
        "webhook_subscriptions",
        sa.Column("previous_secret_sealed", sa.LargeBinary(), nullable=True),
    )
    op.alter_column(
        "webhook_subscriptions", "secret", existing_type=sa.VARCHAR(length=128), nullable=True
    )
    op.create_check_constraint(
        "ck_webhook_subscriptions_secret",
        "webhook_subscriptions",
        "secret_sealed IS NOT NULL OR secret IS NOT NULL",
    )
    # The owner is subject to the tenant policy too (FORCE), so it is lifted for the statement
    # that lists the districts, inside this migration's transaction (as grid's 0002 does).
    for table in _DISTRICT_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    union = " UNION ".join(_districts_of(table) for table in _DISTRICT_TABLES)
    op.execute(
        sa.text(
            "INSERT INTO timers (tenant_id, kind, subject_id, due_at)"  # noqa: S608
            f" SELECT tenant_id, :kind, tenant_id, now() FROM ({union}) AS known"
            " ON CONFLICT (kind, subject_id) DO UPDATE SET due_at = EXCLUDED.due_at"
        ).bindparams(kind=UPKEEP_TIMER)
    )
    for table in _DISTRICT_TABLES:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    # A sealed secret cannot be opened here (no key, see above): refuse rather than lose it.
    op.execute("ALTER TABLE webhook_subscriptions NO FORCE ROW LEVEL SECURITY")
    sealed_only = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM webhook_subscriptions WHERE secret IS NULL")
    )
    op.execute("ALTER TABLE webhook_subscriptions FORCE ROW LEVEL SECURITY")
    if sealed_only:
        raise RuntimeError(
            f"{sealed_only} webhook subscriptions hold only a sealed secret, which this "
            "downgrade cannot open: delete them (or rotate their integrations) first"
        )
    op.execute(sa.text("DELETE FROM timers WHERE kind = :kind").bindparams(kind=UPKEEP_TIMER))
    op.drop_constraint("ck_webhook_subscriptions_secret", "webhook_subscriptions", type_="check")
    op.alter_column(
        "webhook_subscriptions", "secret", existing_type=sa.VARCHAR(length=128), nullable=False
    )
    op.drop_column("webhook_subscriptions", "previous_secret_sealed")
    op.drop_column("webhook_subscriptions", "secret_sealed")
