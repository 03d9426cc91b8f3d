"""Attendance rules: when one may check in, how many minutes a visit counts, what a late
cancellation is."""

from __future__ import annotations

from datetime import datetime, timedelta

from civicgrid_platform.errors import Conflict
from civicgrid_volunteers.domain.ledger import MAX_POSTING_MINUTES

# Early arrivals may check in this long before the start; hours count from the start anyway.
EARLY_CHECK_IN = timedelta(minutes=30)
# A visit that ran over counts at most this much beyond the task's end.
OVERRUN = timedelta(hours=1)
SEATED = ("accepted", "confirmed")


def check_in_allowed(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if status not in SEATED:
        raise Conflict(f"cannot check in to a place that is {status}")
    if now < starts_at - EARLY_CHECK_IN:
        raise Conflict("too early to check in: at most 30 minutes before the start")
    if now > ends_at:
        raise Conflict("the task has ended")


def minutes_served(
    checked_in: datetime, checked_out: datetime, starts_at: datetime, ends_at: datetime
) -> int:
    """From arrival (not before the start) to leaving (not past the end plus an hour), and at
    most a day: the most one posting of the ledger carries."""
    begin = max(checked_in, starts_at)
    end = min(checked_out, ends_at + OVERRUN)
    return min(MAX_POSTING_MINUTES, max(0, int((end - begin).total_seconds() // 60)))


def is_late(starts_at: datetime, now: datetime, late_hours: int) -> bool:
    return starts_at - now < timedelta(hours=late_hours)
