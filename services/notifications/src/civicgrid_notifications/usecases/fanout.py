"""A notice becomes deliveries: for every recipient, the channels their preferences choose for
the event's category, each rendered in their language. In-app messages are stored at once;
the rest are queued for the dispatcher (after quiet hours when the category may wait).
Unique on (event, recipient, channel): a redelivered event adds nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

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
from civicgrid_platform.ids import new_uuid

DELIVERY_TIMER = "delivery"
DIGEST_TIMER = "digest"
# The dispatcher listens here: a commit with queued deliveries wakes it at once.
DELIVERIES_CHANNEL = "civicgrid_deliveries"
# Live inbox streams listen here; the payload names whose inbox changed ("<tenant>:<person>").
INBOX_CHANNEL = "civicgrid_inbox"


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
    return await deliver_many(ctx, uow, [notice])


async def deliver_many(
    ctx: NotificationsContext, uow: UnitOfWork, notices: Sequence[Notice]
) -> int:
    """Many notices of one district at once: every lookup and every write is one statement for
    all of them (a consumer's batch), whatever their number."""
    if not notices:
        return 0
    tenant_id = notices[0].tenant_id
    if any(n.tenant_id != tenant_id for n in notices):
        raise ValueError("deliver_many takes one district's notices")
    directory = DirectoryRepository(uow.session, tenant_id)
    district = await district_of(ctx, directory)
    reached: list[tuple[Notice, set[UUID], set[UUID]]] = []
    for notice in notices:
        people = await people_of(ctx, tenant_id, notice.to) - notice.exclude
        watchers = await people_of(ctx, tenant_id, notice.digest_to) - people - notice.exclude
        reached.append((notice, people, watchers))
    everyone = set().union(*(p | w for _, p, w in reached))
    stored = await PreferencesRepository(uow.session, tenant_id).of(everyone)
    names = await directory.names(set().union(*(p for _, p, _ in reached)))
    departments = {r.department_id for n in notices for r in n.to if isinstance(r, Department)}
    contacts = await directory.department_contacts(sorted(departments))
    now = ctx.clock()
    plans = []
    for notice, people, watchers in reached:
        plan = MessagePlan(ctx, uow, notice, district, now)
        await _plan(plan, notice, people, watchers, stored, names, contacts)
        plans.append(plan)
    return await write_plans(uow, tenant_id, district, now, plans)


async def _plan(
    plan: MessagePlan,
    notice: Notice,
    people: set[UUID],
    watchers: set[UUID],
    stored: Mapping[UUID, StoredPreferences],
    names: Mapping[UUID, str],
    contacts: Mapping[UUID, str],
) -> None:
    spec = EVENTS[notice.event_type]
    for person in sorted(people):
        prefs = preferences_of(stored.get(person), plan.district)
        if notice.digest_line and prefs.wants_digest(spec.category):
            plan.digest(person)
            continue
        variables = {**notice.variables, "recipient_name": names.get(person, "")}
        hold = prefs.hold_until(spec.category, plan.now)
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
    for recipient in notice.to:
        if isinstance(recipient, Department) and recipient.department_id in contacts:
            contact = contacts[recipient.department_id]
            await plan.message(
                f"department:{recipient.department_id}",
                None,
                Channel.EMAIL if "@" in contact else Channel.SMS,
                plan.district.locale,
                notice.variables,
                None,
                address=contact,
            )
    for person in sorted(watchers):
        plan.digest(person)


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
                "id": new_uuid(),
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
        return await write_plans(self.uow, self.notice.tenant_id, self.district, self.now, [self])


async def write_plans(
    uow: UnitOfWork,
    tenant_id: UUID,
    district: District,
    now: datetime,
    plans: Sequence[MessagePlan],
) -> int:
    """The rows of many plans in a handful of statements: deliveries (new ones only), the in-app
    messages and queued messages' timers of those, digest lines; then the doorbells."""
    session = uow.session
    repo = DeliveriesRepository(session, tenant_id)
    new = await repo.add_new([row for plan in plans for row in plan.rows])
    inbox: list[dict[str, Any]] = []
    queued: list[tuple[UUID, str, UUID, datetime]] = []
    for plan in plans:
        for row in plan.rows:
            if row["id"] not in new:
                continue
            if row["channel"] == Channel.INAPP.value:
                inbox.append(_inbox_row(row, plan.notice.link, now))
            else:
                queued.append((tenant_id, DELIVERY_TIMER, row["id"], row["next_attempt_at"]))
    await repo.add_inbox(inbox)
    await timers.schedule_many(session, queued)
    for person in sorted({str(m["person_id"]) for m in inbox}):
        uow.notify(INBOX_CHANNEL, f"{tenant_id}:{person}")
    lines = [
        (person, plan.notice.event_id, plan.notice.digest_kind, plan.notice.digest_line)
        for plan in plans
        for person in plan.digests
    ]
    if lines:
        await DigestRepository(session, tenant_id).add_lines(lines)
        await timers.schedule_if_absent(
            session, tenant_id, DIGEST_TIMER, tenant_id, next_digest_at(district, now)
        )
    if queued:
        uow.notify(DELIVERIES_CHANNEL)
    return len(new)


def _inbox_row(row: dict[str, Any], link: str, now: datetime) -> dict[str, Any]:
    return {
        "id": new_uuid(),
        "person_id": row["person_id"],
        "delivery_id": row["id"],
        "event_type": row["event_type"],
        "category": row["category"],
        "urgent": row["urgent"],
        "title": row["subject"],
        "body": row["body"],
        "link": link,
        "created_at": now,
    }


class PendingNotices:
    """A consumer batch's notices, delivered together when the unit of work flushes its
    deferred work (the tenant changes, a savepoint ends, the batch commits)."""

    KEY = "notifications.pending-notices"

    def __init__(self, ctx: NotificationsContext) -> None:
        self.ctx = ctx
        self.notices: list[Notice] = []

    async def flush(self, uow: UnitOfWork) -> None:
        notices, self.notices = self.notices, []
        await deliver_many(self.ctx, uow, notices)

    def discard(self) -> None:
        self.notices.clear()
