"""A notice becomes deliveries: for every recipient, the channels their preferences choose for
the event's category, each rendered in their language. In-app messages are stored at once;
the rest are queued for the dispatcher (after quiet hours when the category may wait).
Unique on (event, recipient, channel): a redelivered event adds nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import text

from civicgrid_notifications.db.deliveries_repo import DeliveriesRepository
from civicgrid_notifications.db.digest_repo import DigestRepository
from civicgrid_notifications.db.directory_repo import DirectoryRepository, District
from civicgrid_notifications.db.preferences_repo import PreferencesRepository, StoredPreferences
from civicgrid_notifications.domain import delivery as states
from civicgrid_notifications.domain.catalog import EVENTS
from civicgrid_notifications.domain.channels import URGENT, Category, Channel
from civicgrid_notifications.domain.notices import Department, Notice
from civicgrid_notifications.domain.preferences import Preferences, QuietHours, parse_channels
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.recipients import people_of
from civicgrid_notifications.usecases.templates import render_message
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork

DELIVERY_TIMER = "delivery"
DIGEST_TIMER = "digest"
# The dispatcher listens here: a commit with queued deliveries wakes it at once.
DELIVERIES_CHANNEL = "civicgrid_deliveries"
_WAKE = text(f"SELECT pg_notify('{DELIVERIES_CHANNEL}', '')")
# Live inbox streams listen here; the payload names whose inbox changed ("<tenant>:<person>").
INBOX_CHANNEL = "civicgrid_inbox"
_INBOX_WAKE = text(f"SELECT pg_notify('{INBOX_CHANNEL}', :payload)")


def preferences_of(stored: StoredPreferences | None, district: District) -> Preferences:
    if stored is None:
        return Preferences(timezone=district.timezone, locale=district.locale)
    quiet = (
        QuietHours(stored.quiet_start, stored.quiet_end)
        if stored.quiet_start is not None and stored.quiet_end is not None
        else None
    )
    return Preferences(
        timezone=stored.timezone or district.timezone,
        locale=stored.locale or district.locale,
        quiet=quiet,
        channels=parse_channels(stored.channels),
        digest=frozenset(Category(c) for c in stored.digest_categories),
    )


def next_digest_at(district: District, now: datetime) -> datetime:
    """The next digest hour in the district's zone, strictly after now."""
    zone = ZoneInfo(district.timezone)
    local = now.astimezone(zone)
    at = datetime.combine(local.date(), time(district.digest_hour), tzinfo=zone)
    if at <= local:
        at = datetime.combine(
            local.date() + timedelta(days=1), time(district.digest_hour), tzinfo=zone
        )
    return at.astimezone(now.tzinfo)


async def district_of(ctx: NotificationsContext, directory: DirectoryRepository) -> District:
    return await directory.district() or District("", ctx.default_timezone, ctx.default_locale)


async def deliver(ctx: NotificationsContext, uow: UnitOfWork, notice: Notice) -> int:
    """Queues (and stores in-app) the notice's messages in uow's transaction; how many new."""
    tenant_id = notice.tenant_id
    spec = EVENTS[notice.event_type]
    directory = DirectoryRepository(uow.session, tenant_id)
    district = await district_of(ctx, directory)
    people = await people_of(ctx, tenant_id, notice.to) - notice.exclude
    watchers = await people_of(ctx, tenant_id, notice.digest_to) - people - notice.exclude
    stored = await PreferencesRepository(uow.session, tenant_id).of(people | watchers)
    names = await directory.names(people)
    now = ctx.clock()
    plan = MessagePlan(ctx, uow, notice, district, now)
    for person in sorted(people):
        prefs = preferences_of(stored.get(person), district)
        if notice.digest_line and prefs.wants_digest(spec.category):
            plan.digest(person)
            continue
        variables = {**notice.variables, "recipient_name": names.get(person, "")}
        hold = prefs.hold_until(spec.category, now)
        for channel in prefs.channels_for(spec.category):
            await plan.message(
                f"person:{person}",
                person,
                channel,
                prefs.locale,
                variables,
                hold,
                timezone=prefs.timezone,
            )
    departments = [r.department_id for r in notice.to if isinstance(r, Department)]
    for department, contact in (await directory.department_contacts(departments)).items():
        channel = Channel.EMAIL if "@" in contact else Channel.SMS
        await plan.message(
            f"department:{department}",
            None,
            channel,
            district.locale,
            notice.variables,
            None,
            address=contact,
        )
    for person in sorted(watchers):
        plan.digest(person)
    return await plan.commit_rows()


class MessagePlan:
    """The rows one notice adds, written together at the end. An alert's messages carry its id
    (acknowledging stops those still queued) and, for a drill, a label before every text."""

    def __init__(
        self,
        ctx: NotificationsContext,
        uow: UnitOfWork,
        notice: Notice,
        district: District,
        now: datetime,
        *,
        alert_id: UUID | None = None,
        label: str = "",
    ) -> None:
        self.ctx, self.uow, self.notice, self.district, self.now = ctx, uow, notice, district, now
        self.alert_id, self.label = alert_id, label
        self.spec = EVENTS[notice.event_type]
        self.rows: list[dict[str, Any]] = []
        self.digests: list[UUID] = []

    def digest(self, person: UUID) -> None:
        self.digests.append(person)

    async def message(
        self,
        recipient: str,
        person: UUID | None,
        channel: Channel,
        locale: str,
        variables: Mapping[str, str],
        hold: datetime | None,
        *,
        address: str | None = None,
        timezone: str | None = None,
    ) -> None:
        values = {"district": self.district.name, "recipient_name": "", **variables}
        rendered = await render_message(
            self.uow,
            self.notice.tenant_id,
            self.notice.event_type,
            channel,
            locale,
            values,
            timezone=timezone or self.district.timezone,
        )
        inapp = channel == Channel.INAPP
        self.rows.append(
            {
                "id": uuid.uuid4(),
                "event_id": self.notice.event_id,
                "event_type": self.notice.event_type,
                "recipient": recipient,
                "person_id": person,
                "channel": channel.value,
                "category": self.spec.category.value,
                "urgent": self.spec.category in URGENT,
                "locale": locale,
                "subject": f"{self.label}{rendered.subject}" if rendered.subject else "",
                "body": f"{self.label}{rendered.body}",
                "address": address,
                "alert_id": self.alert_id,
                "status": states.DELIVERED if inapp else states.QUEUED,
                "attempts": 1 if inapp else 0,
                "max_attempts": self.ctx.delivery.max_attempts,
                "next_attempt_at": None if inapp else (hold or self.now),
                "created_at": self.now,
                "finished_at": self.now if inapp else None,
            }
        )

    async def commit_rows(self) -> int:
        """Writes the rows (new ones only) and wakes the dispatcher and live inboxes; how many."""
        tenant_id = self.notice.tenant_id
        session = self.uow.session
        repo = DeliveriesRepository(session, tenant_id)
        new = await repo.add_new(self.rows)
        inbox = []
        queued = False
        for row in self.rows:
            if row["id"] not in new:
                continue
            if row["channel"] == Channel.INAPP.value:
                inbox.append(
                    {
                        "id": uuid.uuid4(),
                        "person_id": row["person_id"],
                        "delivery_id": row["id"],
                        "event_type": row["event_type"],
                        "category": row["category"],
                        "urgent": row["urgent"],
                        "title": row["subject"],
                        "body": row["body"],
                        "link": self.notice.link,
                        "created_at": self.now,
                    }
                )
            else:
                await timers.schedule(
                    session, tenant_id, DELIVERY_TIMER, row["id"], row["next_attempt_at"]
                )
                queued = True
        await repo.add_inbox(inbox)
        for person in sorted({m["person_id"] for m in inbox}):
            await session.execute(_INBOX_WAKE, {"payload": f"{tenant_id}:{person}"})
        if self.digests:
            await DigestRepository(session, tenant_id).add(
                self.digests, self.notice.event_id, self.notice.digest_kind, self.notice.digest_line
            )
            await timers.schedule_if_absent(
                session, tenant_id, DIGEST_TIMER, tenant_id, next_digest_at(self.district, self.now)
            )
        if queued:
            await session.execute(_WAKE)
        return len(new)
