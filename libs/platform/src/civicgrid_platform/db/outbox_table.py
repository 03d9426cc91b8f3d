"""Shapes of the transactional outbox and the consumer inbox.

Each service creates these tables in its own database from its own Alembic migration (the
service owns the table, the platform owns its shape), so ``outbox_table`` and ``inbox_table``
add them to the metadata the migration or test hands in.

Neither table has row-level security: the relay publishes every tenant's events and the inbox
records every tenant's deliveries, so both are cross-tenant by nature. The tenant of an outbox
row still travels with the event (``tenant_id`` column and ``ce_tenantid`` header). The runtime
role reaches them through the same DML grants as every other table of the service.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

OUTBOX_TABLE = "event_outbox"
INBOX_TABLE = "event_inbox"

# The unit of work notifies this channel when it commits events, which wakes the relay at once.
OUTBOX_CHANNEL = "civicgrid_outbox"


def outbox_table(metadata: MetaData) -> Table:
    """Events written in the same transaction as the state change they announce.

    Every row is waiting to be published: the relay deletes a row once Kafka has acknowledged
    it, so the table stays small and ``min(created_at)`` is the relay's lag.
    """
    return Table(
        OUTBOX_TABLE,
        metadata,
        # An identity column rather than bigserial: inserting needs no grant on a sequence, so
        # the runtime role's table privileges are enough.
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("tenant_id", Uuid, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def inbox_table(metadata: MetaData) -> Table:
    """Events a consumer group has already applied, so a redelivery has no second effect."""
    table = Table(
        INBOX_TABLE,
        metadata,
        Column("consumer_group", Text, nullable=False),
        Column("event_id", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer_group", "event_id"),
    )
    # BRIN: rows arrive in time order, so a tiny index that costs almost nothing per insert is
    # enough for the periodic purge of old rows.
    Index(f"ix_{INBOX_TABLE}_processed_at", table.c.processed_at, postgresql_using="brin")
    return table


# The platform's own handles on the tables, for the statements the unit of work, the relay and
# the consumer issue. Building Table objects touches no database.
OUTBOX = outbox_table(MetaData())
INBOX = inbox_table(MetaData())
