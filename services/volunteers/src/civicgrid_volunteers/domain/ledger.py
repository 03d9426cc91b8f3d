"""The hours ledger's rules: double entry between a volunteer's account and the community time
bank, what a posting may carry, and what a correction may do.

A posting is two entries whose minutes sum to zero: the volunteer's account is credited with the
minutes served and the time bank is debited by as many, so the time bank's balance is always
minus the hours the community has been given. A mistake is never edited away: staff post a
correction (signed minutes, a note saying why, the day it concerns), and the statement shows
both the original and the correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final
from uuid import UUID
from zoneinfo import ZoneInfo

from civicgrid_platform.errors import Conflict, InvalidInput

TIMEBANK: Final = "timebank"
CHECK_OUT: Final = "check_out"
CORRECTION: Final = "correction"
REASONS: Final = (CHECK_OUT, CORRECTION)
# No posting moves more than a day's service: more is several postings, one per day worked
# (which is what the monthly ratings and 30-day fairness count by).
MAX_POSTING_MINUTES: Final = 24 * 60
MAX_NOTE_LENGTH: Final = 2000
# Corrections reach back a year: entries are permanent, so a mistyped year must not become one.
CORRECTABLE_DAYS: Final = 366
# A corrected day is stored at noon in the district's zone: inside that day and that month
# whatever the zone's offset or daylight-saving rules.
_CORRECTED_DAY_AT = time(12, 0)


def volunteer_account(volunteer_id: UUID) -> str:
    return f"volunteer:{volunteer_id}"


@dataclass(frozen=True, slots=True)
class Leg:
    """One entry of a posting: minutes into (positive) or out of (negative) an account."""

    account: str
    minutes: int


@dataclass(frozen=True, slots=True)
class Posting:
    volunteer_id: UUID
    minutes: int
    reason: str
    worked_on: datetime
    task_id: UUID | None
    actor_id: str | None
    note: str

    @property
    def legs(self) -> tuple[Leg, Leg]:
        """The volunteer's account gains what the time bank gives: the two always sum to 0."""
        return (
            Leg(volunteer_account(self.volunteer_id), self.minutes),
            Leg(TIMEBANK, -self.minutes),
        )


def posting(
    volunteer_id: UUID,
    minutes: int,
    *,
    reason: str,
    worked_on: datetime,
    task_id: UUID | None = None,
    actor_id: str | None = None,
    note: str = "",
) -> Posting:
    """A checked posting, or InvalidInput naming the field at fault.

    A check-out credits a positive number of minutes; a correction moves a non-zero signed
    number, is made by someone (actor_id) and says why (note)."""
    if reason not in REASONS:
        raise InvalidInput(f"reason must be one of {', '.join(REASONS)}", field="reason")
    if type(minutes) is not int:
        raise InvalidInput("minutes must be a whole number", field="minutes")
    if minutes == 0:
        raise InvalidInput("a posting moves at least one minute", field="minutes")
    if reason == CHECK_OUT and minutes < 0:
        raise InvalidInput(
            "a check-out credits minutes; take some back with a correction", field="minutes"
        )
    if abs(minutes) > MAX_POSTING_MINUTES:
        raise InvalidInput(
            f"one posting moves at most {MAX_POSTING_MINUTES} minutes (one day)", field="minutes"
        )
    if worked_on.tzinfo is None or worked_on.utcoffset() is None:
        raise InvalidInput("worked_on needs a time zone", field="worked_on")
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"note is longer than {MAX_NOTE_LENGTH} characters", field="note")
    if reason == CORRECTION:
        if not note:
            raise InvalidInput("a correction says why it is made", field="note")
        if not actor_id:
            raise InvalidInput("a correction records who made it", field="actor_id")
    return Posting(volunteer_id, minutes, reason, worked_on, task_id, actor_id or None, note)


def balance_after(balance: int, minutes: int) -> int:
    """The volunteer's balance once `minutes` are posted; never below zero (a volunteer cannot
    owe the community time)."""
    after = balance + minutes
    if after < 0:
        raise Conflict(
            f"the volunteer's balance is {balance} minutes; taking back {-minutes} would leave "
            f"it negative",
            field="minutes",
        )
    return after


def corrected_day(day: date, zone: str, now: datetime) -> datetime:
    """When a correction for `day` (a date in the district's zone) counts as worked; a day that
    has not come yet in that zone, or is more than CORRECTABLE_DAYS ago, is refused."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if day > today:
        raise InvalidInput("worked_on is a day that has not come yet", field="worked_on")
    if (today - day).days > CORRECTABLE_DAYS:
        raise InvalidInput(
            f"corrections reach back at most {CORRECTABLE_DAYS} days", field="worked_on"
        )
    return datetime.combine(day, _CORRECTED_DAY_AT, tzinfo=tz)
