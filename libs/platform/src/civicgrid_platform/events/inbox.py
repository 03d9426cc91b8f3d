"""The consumer inbox: which events a consumer group has already applied.

Recording the event id in the same transaction as the handler's changes is what makes a
redelivered event a no-op: either both are committed or neither is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Interval, Text, bindparam, delete, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.db.outbox_table import INBOX, INBOX_TABLE
from civicgrid_platform.events.cloudevents import IncomingEvent

# Only module constants are interpolated into the SQL.
_RECORD = text(
    f"""
    INSERT INTO {INBOX_TABLE} (consumer_group, event_id, event_type)
    SELECT :consumer_group, e.event_id, e.event_type
    FROM unnest(:event_ids, :event_types) AS e(event_id, event_type)
    ON CONFLICT (consumer_group, event_id) DO NOTHING
    RETURNING event_id
    """  # noqa: S608
).bindparams(bindparam("event_ids", type_=ARRAY(Text)), bindparam("event_types", type_=ARRAY(Text)))


_PURGE = delete(INBOX).where(
    tuple_(INBOX.c.consumer_group, INBOX.c.event_id).in_(
        select(INBOX.c.consumer_group, INBOX.c.event_id)
        .where(
            INBOX.c.consumer_group == bindparam("consumer_group"),
            INBOX.c.processed_at < func.now() - bindparam("retention", type_=Interval),
        )
        .limit(bindparam("limit"))
    )
)


async def record_new_events(
    session: AsyncSession, consumer_group: str, events: Sequence[IncomingEvent]
) -> set[str]:
    """Record ``events`` as applied by ``consumer_group``, in one statement.

    Returns the ids that were not recorded before: only those may be handled now.
    """
    if not events:
        return set()
    result = await session.execute(
        _RECORD,
        {
            "consumer_group": consumer_group,
            "event_ids": [event.id for event in events],
            "event_types": [event.type for event in events],
        },
    )
    return set(result.scalars())


async def purge_inbox(
    session: AsyncSession, consumer_group: str, *, older_than: timedelta, limit: int
) -> int:
    """Delete up to ``limit`` of the group's rows older than ``older_than``; returns the count.

    Safe once Kafka can no longer redeliver them, i.e. past the topics' retention.
    """
    result = await session.execute(
        _PURGE,
        {
            "consumer_group": consumer_group,
            "retention": older_than,
            "limit": limit,
        },
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
