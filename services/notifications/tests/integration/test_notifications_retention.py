"""Retention: a district's upkeep deletes finished deliveries with their attempts, read in-app
messages and finished webhook messages with their attempts once past their age, in bounded
batches over several passes; it keeps young rows, unread messages, work still under way and
everything of an alert still open, and never touches another district's rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from civicgrid_notifications.db.retention_repo import RetentionRepository
from civicgrid_notifications.db.tables import deliveries, delivery_attempts, inbox_messages
from civicgrid_notifications.db.tables_alerts import alerts
from civicgrid_notifications.db.tables_webhooks import (
    webhook_attempts,
    webhook_messages,
    webhook_subscriptions,
)
from civicgrid_notifications.domain.retention import (
    RETENTION_EVERY,
    RETENTION_TIMER,
    RetentionPolicy,
)
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.retention import purge_due, upkeep
from civicgrid_platform import timers
from services.notifications.tests.notifications_support import MONDAY_9, District

pytestmark = pytest.mark.integration

NOW = MONDAY_9
DAY = timedelta(days=1)


@dataclass
class Seeded:
    """The ids of what a test put in a district, by what should become of them."""

    gone: dict[str, set[uuid.UUID]]
    kept: dict[str, set[uuid.UUID]]


class Filler:
    """Writes a district's rows as they would be after months of work."""

    def __init__(self, ctx: NotificationsContext, district: District) -> None:
        self.ctx, self.tenant = ctx, district.tenant_id
        self.rows: dict[Table, list[dict[str, Any]]] = {}

    def _add(self, table: Table, **values: Any) -> uuid.UUID:
        """A row of `table`; its id (made here unless the table makes it)."""
        row_id = uuid.uuid4()
        if table not in (delivery_attempts, webhook_attempts):
            values["id"] = row_id
        self.rows.setdefault(table, []).append({"tenant_id": self.tenant, **values})
        return row_id

    def alert(self, status: str) -> uuid.UUID:
        return self._add(
            alerts,
            person_id=uuid.uuid4(),
            source="device",
            status=status,
            policy={},
            raised_at=NOW - 200 * DAY,
            step_started_at=NOW - 200 * DAY,
        )

    def delivery(
        self,
        age: timedelta,
        status: str = "delivered",
        *,
        channel: str = "email",
        alert_id: uuid.UUID | None = None,
        finished: timedelta | None = None,
        attempts: int = 2,
    ) -> uuid.UUID:
        created = NOW - age
        over = status in ("delivered", "failed", "suppressed")
        delivery_id = self._add(
            deliveries,
            event_id=uuid.uuid4(),
            event_type="ticket.created",
            recipient=f"person:{uuid.uuid4()}",
            person_id=uuid.uuid4(),
            channel=channel,
            category="my_reports",
            locale="en",
            body="body",
            status=status,
            max_attempts=6,
            alert_id=alert_id,
            created_at=created,
            finished_at=(NOW - finished if finished else created + DAY) if over else None,
        )
        for number in range(1, attempts + 1):
            self._add(
                delivery_attempts,
                delivery_id=delivery_id,
                number=number,
                provider="smtp",
                started_at=created,
                finished_at=created,
                outcome="error",
            )
        return delivery_id

    def inbox(self, age: timedelta, *, read: bool, alert_id: uuid.UUID | None = None) -> uuid.UUID:
        """An in-app message with its delivery; the message's id."""
        delivery_id = self.delivery(age, channel="inapp", alert_id=alert_id, attempts=0)
        return self._add(
            inbox_messages,
            person_id=uuid.uuid4(),
            delivery_id=delivery_id,
            event_type="ticket.created",
            category="my_reports",
            title="title",
            body="body",
            created_at=NOW - age,
            read_at=NOW - age + DAY if read else None,
        )

    def subscription(self) -> uuid.UUID:
        return self._add(
            webhook_subscriptions,
            url="http://127.0.0.1:9/hook",
            secret_sealed=b"sealed",
            created_at=NOW - 400 * DAY,
            updated_at=NOW - 400 * DAY,
        )

    def webhook_message(
        self, subscription_id: uuid.UUID, age: timedelta, status: str, finished: timedelta | None
    ) -> uuid.UUID:
        message_id = self._add(
            webhook_messages,
            subscription_id=subscription_id,
            event_id=uuid.uuid4(),
            event_type="civicgrid.tickets.v1.ticket.created",
            body="{}",
            status=status,
            created_at=NOW - age,
            finished_at=NOW - finished if finished is not None else None,
        )
        self._add(
            webhook_attempts,
            message_id=message_id,
            number=1,
            started_at=NOW - age,
            duration_ms=5,
            outcome="failed",
        )
        return message_id

    async def write(self) -> None:
        order = (
            alerts,
            deliveries,
            delivery_attempts,
            inbox_messages,
            webhook_subscriptions,
            webhook_messages,
            webhook_attempts,
        )
        async with self.ctx.uow(tenant_id=self.tenant) as uow:
            for table in order:
                rows = self.rows.pop(table, [])
                if rows:
                    await uow.session.execute(table.insert(), rows)
            await uow.commit()


def _months_of_work(ctx: NotificationsContext, district: District) -> tuple[Filler, Seeded]:
    fill = Filler(ctx, district)
    gone: dict[str, set[uuid.UUID]] = {"deliveries": set(), "inbox": set(), "webhooks": set()}
    kept: dict[str, set[uuid.UUID]] = {"deliveries": set(), "inbox": set(), "webhooks": set()}
    open_alert, resolved_alert = fill.alert("acknowledged"), fill.alert("resolved")
    # Deliveries (90 days): over and old go, with their attempts.
    for status in ("delivered", "failed", "suppressed"):
        gone["deliveries"].add(fill.delivery(100 * DAY, status))
    gone["deliveries"].add(fill.delivery(100 * DAY, alert_id=resolved_alert))
    for status in ("queued", "sending", "sent"):  # still under way, however old
        kept["deliveries"].add(fill.delivery(100 * DAY, status))
    kept["deliveries"].add(fill.delivery(80 * DAY))  # young
    kept["deliveries"].add(fill.delivery(100 * DAY, finished=10 * DAY))  # finished lately
    kept["deliveries"].add(fill.delivery(300 * DAY, alert_id=open_alert))  # the alert is open
    # In-app messages (180 days, read ones only); their delivery goes with them, not before.
    gone["inbox"].add(fill.inbox(200 * DAY, read=True))
    kept["inbox"].add(fill.inbox(200 * DAY, read=False))
    kept["inbox"].add(fill.inbox(100 * DAY, read=True))
    kept["inbox"].add(fill.inbox(200 * DAY, read=True, alert_id=open_alert))
    # Webhook messages (30 days), with their attempts.
    sub = fill.subscription()
    gone["webhooks"].add(fill.webhook_message(sub, 40 * DAY, "delivered", 40 * DAY))
    gone["webhooks"].add(fill.webhook_message(sub, 40 * DAY, "failed", 39 * DAY))
    kept["webhooks"].add(fill.webhook_message(sub, 40 * DAY, "pending", None))
    kept["webhooks"].add(fill.webhook_message(sub, 20 * DAY, "delivered", 20 * DAY))
    kept["webhooks"].add(fill.webhook_message(sub, 40 * DAY, "delivered", DAY))  # replayed
    return fill, Seeded(gone, kept)


async def _present(ctx: NotificationsContext, district: District) -> dict[str, set[uuid.UUID]]:
    async with ctx.uow(tenant_id=district.tenant_id) as uow:

        async def ids(table: Table) -> set[uuid.UUID]:
            query = select(table.c.id).where(table.c.tenant_id == district.tenant_id)
            return set((await uow.session.execute(query)).scalars())

        inapp = select(inbox_messages.c.delivery_id)
        return {
            "deliveries": await ids(deliveries) - set((await uow.session.execute(inapp)).scalars()),
            "inbox": await ids(inbox_messages),
            "webhooks": await ids(webhook_messages),
            "delivery_attempts_of": set(
                (await uow.session.execute(select(delivery_attempts.c.delivery_id))).scalars()
            ),
            "webhook_attempts_of": set(
                (await uow.session.execute(select(webhook_attempts.c.message_id))).scalars()
            ),
        }


async def test_notifications_retention_deletes_old_finished_work_and_keeps_the_rest(
    notifications_ctx: NotificationsContext, district: District
) -> None:
    fill, seeded = _months_of_work(notifications_ctx, district)
    await fill.write()
    before = await _present(notifications_ctx, district)

    assert await upkeep(notifications_ctx, district.tenant_id, NOW) is True

    after = await _present(notifications_ctx, district)
    for kind in ("deliveries", "inbox", "webhooks"):
        assert seeded.gone[kind] <= before[kind]
        assert after[kind] == before[kind] - seeded.gone[kind], kind
        assert seeded.kept[kind] <= after[kind], kind
    # Attempts went with their delivery or message, and only those.
    assert not after["delivery_attempts_of"] & seeded.gone["deliveries"]
    assert (
        after["delivery_attempts_of"] == before["delivery_attempts_of"] - seeded.gone["deliveries"]
    )
    assert after["webhook_attempts_of"] == before["webhook_attempts_of"] - seeded.gone["webhooks"]
    # An in-app delivery goes with its read message, and stays with an unread one.
    async with notifications_ctx.uow(tenant_id=district.tenant_id) as uow:
        inapp = (
            await uow.session.execute(
                select(func.count())
                .select_from(deliveries)
                .where(
                    deliveries.c.tenant_id == district.tenant_id, deliveries.c.channel == "inapp"
                )
            )
        ).scalar_one()
    assert inapp == len(seeded.kept["inbox"])

    # Nothing more to do on the next pass.
    assert await upkeep(notifications_ctx, district.tenant_id, NOW) is True
    assert await _present(notifications_ctx, district) == after


async def test_notifications_retention_works_off_a_backlog_in_bounded_passes(
    notifications_ctx: NotificationsContext, district: District
) -> None:
    ctx = replace(notifications_ctx, retention=RetentionPolicy(batch=3, batches_per_pass=2))
    fill = Filler(ctx, district)
    old = {fill.delivery(100 * DAY, attempts=1) for _ in range(14)}
    young = fill.delivery(10 * DAY)
    await fill.write()

    left = []
    for _ in range(3):
        finished = await upkeep(ctx, district.tenant_id, NOW)
        left.append((len((await _present(ctx, district))["deliveries"] & old), finished))
    # Two statements of three rows a pass: 14 -> 8 -> 2 -> 0, done on the third pass.
    assert left == [(8, False), (2, False), (0, True)]
    assert young in (await _present(ctx, district))["deliveries"]


async def test_notifications_retention_timer_comes_back_at_once_with_a_backlog_else_a_day_later(
    notifications_ctx: NotificationsContext, district: District
) -> None:
    now = NOW + 3650 * DAY  # later than any other test's district timer
    ctx = replace(
        notifications_ctx,
        retention=RetentionPolicy(batch=3, batches_per_pass=1),
        clock=lambda: now,
    )
    fill = Filler(ctx, district)
    for _ in range(4):
        fill.delivery(100 * DAY)
    await fill.write()
    async with ctx.uow(tenant_id=None) as uow:
        await timers.schedule(
            uow.session, district.tenant_id, RETENTION_TIMER, district.tenant_id, now
        )
        await uow.commit()

    async def due() -> datetime | None:
        async with ctx.uow(tenant_id=None) as uow:
            return await timers.due_at(uow.session, RETENTION_TIMER, district.tenant_id)

    # Every district due at that time is taken, ours among them.
    assert await purge_due(ctx, limit=1000) >= 1
    assert len((await _present(ctx, district))["deliveries"]) == 1
    assert await due() == now  # three deleted, one left: again at once
    assert await purge_due(ctx, limit=1000) >= 1
    assert (await _present(ctx, district))["deliveries"] == set()
    assert await due() == now + RETENTION_EVERY  # nothing left: tomorrow


async def test_notifications_retention_of_one_district_never_touches_another(
    notifications_ctx: NotificationsContext,
) -> None:
    mine, theirs = District(), District()
    for district in (mine, theirs):
        fill, _ = _months_of_work(notifications_ctx, district)
        await fill.write()
    theirs_before = await _present(notifications_ctx, theirs)

    await upkeep(notifications_ctx, mine.tenant_id, NOW)
    assert await _present(notifications_ctx, theirs) == theirs_before

    # Row-level security too: a transaction bound to one district deletes nothing of another
    # even when a statement names it.
    async with notifications_ctx.uow(tenant_id=mine.tenant_id) as uow:
        repo = RetentionRepository(uow.session, theirs.tenant_id)
        assert await repo.purge_deliveries(NOW, 5000) == 0
        assert await repo.purge_read_inbox(NOW, 5000) == 0
        await uow.commit()
    assert await _present(notifications_ctx, theirs) == theirs_before
