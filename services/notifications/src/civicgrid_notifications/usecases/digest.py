"""The officials' daily digest: the lines waiting for each official (what breached, what is
due) leave as one message per person at the district's digest hour, instead of one message per
event. A district's digest timer is set by fan-out when a line waits (see fanout.next_digest_at)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from uuid import UUID
from zoneinfo import ZoneInfo

from civicgrid_notifications.db.digest_repo import DigestLine, DigestRepository
from civicgrid_notifications.db.directory_repo import DirectoryRepository
from civicgrid_notifications.domain.notices import Notice
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import deliver, district_of
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.timers import DueTimer

_DIGEST_IDS = uuid.UUID("7d1c9a52-2b0e-4f7e-9f51-3c2f0b8e6a41")


async def send_digests(ctx: NotificationsContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """The timer's handler: one digest message per official with waiting lines."""
    tenant_id = timer.tenant_id
    district = await district_of(ctx, DirectoryRepository(uow.session, tenant_id))
    day = ctx.clock().astimezone(ZoneInfo(district.timezone)).date()
    by_person: dict[UUID, list[DigestLine]] = defaultdict(list)
    for line in await DigestRepository(uow.session, tenant_id).take_waiting(day):
        by_person[line.person_id].append(line)
    for person, lines in by_person.items():
        breached = [entry.line for entry in lines if entry.kind == "breached"]
        due = [entry.line for entry in lines if entry.kind == "due"]
        variables = {
            "day": day.isoformat(),
            "breached": "\n".join(breached),
            "due": "\n".join(due),
            "breached_count": str(len(breached)),
            "due_count": str(len(due)),
        }
        notice = Notice(
            event_id=uuid.uuid5(_DIGEST_IDS, f"{tenant_id}/{person}/{day}"),
            tenant_id=tenant_id,
            event_type="digest.daily",
            variables=variables,
            to=(person,),
        )
        await deliver(ctx, uow, notice)
