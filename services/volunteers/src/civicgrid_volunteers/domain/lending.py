"""The tool-lending station's rules: conditions, due dates, reminders, holds and deliveries.

A station lends items (a kind of tool, counted: "ladder, 3, good"). `count_available` is what
is on the shelf for anyone; a unit that came back while residents were waiting is reserved for
the oldest waiting hold instead (the hold is "ready", kept for a while), so the shelf count never
includes units promised to someone. Pure rules only: no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from civicgrid_platform.errors import Conflict, InvalidInput

ItemCondition = Literal["good", "worn", "damaged"]
ReturnCondition = Literal["good", "worn", "damaged", "lost"]
ITEM_CONDITIONS: tuple[ItemCondition, ...] = ("good", "worn", "damaged")
RETURN_CONDITIONS: tuple[ReturnCondition, ...] = ("good", "worn", "damaged", "lost")

# Hold states: waiting in line, ready (a unit is kept for the person), then one of the ends.
WAITING, READY, FULFILLED, CANCELLED, LAPSED = (
    "waiting",
    "ready",
    "fulfilled",
    "cancelled",
    "lapsed",
)
ACTIVE_HOLDS = (WAITING, READY)

# Loan states as readers ask for them (stored as returned_at and due_at).
LoanState = Literal["open", "overdue", "returned"]
LOAN_FILTERS = ("open", "overdue", "returned", "all")

# Timer kinds (timers.kind is at most 24 characters).
DUE_SOON_TIMER, OVERDUE_TIMER, HOLD_LAPSE_TIMER = "loan_due_soon", "loan_overdue", "hold_lapse"

MAX_LOAN_DAYS = 90
MAX_COUNT = 10_000
DUE_SOON_BEFORE = timedelta(days=1)
OVERDUE_REPEAT = timedelta(days=2)
HOLD_KEPT_FOR = timedelta(days=2)
# A delivery is one volunteer's errand: a window of at most a day, booked at most 30 days ahead.
DELIVERY_LONGEST = timedelta(hours=24)
DELIVERY_AHEAD = timedelta(days=30)
DELIVERY_TASK_KIND = "tool_delivery"
DELIVERY_SOURCE = "loan"

_WEAR = {"good": 0, "worn": 1, "damaged": 2}


def check_loan_days(days: int) -> int:
    if not 1 <= days <= MAX_LOAN_DAYS:
        raise InvalidInput(f"between 1 and {MAX_LOAN_DAYS} days", field="loan_days")
    return days


def due_date(now: datetime, loan_days: int, asked: datetime | None) -> datetime:
    """The due date: the one asked for (later than now, within the longest loan), else the
    station's usual loan length from now."""
    if asked is None:
        return now + timedelta(days=loan_days)
    if asked <= now:
        raise InvalidInput("a due date in the future", field="due_at")
    if asked > now + timedelta(days=MAX_LOAN_DAYS):
        raise InvalidInput(f"at most {MAX_LOAN_DAYS} days from now", field="due_at")
    return asked


def due_soon_at(now: datetime, due_at: datetime) -> datetime:
    """When the borrower is reminded that the loan is due: a day before, or now if sooner."""
    return max(now, due_at - DUE_SOON_BEFORE)


def next_overdue_reminder(now: datetime) -> datetime:
    """While an overdue loan stays out, the borrower is reminded again this often."""
    return now + OVERDUE_REPEAT


def hold_kept_until(now: datetime) -> datetime:
    return now + HOLD_KEPT_FOR


def loan_state(due_at: datetime, returned_at: datetime | None, now: datetime) -> LoanState:
    if returned_at is not None:
        return "returned"
    return "overdue" if due_at <= now else "open"


def condition_after_return(current: str, returned: ReturnCondition) -> str:
    """An item's condition after a unit comes back: it only gets worse by a return (a repair is
    recorded by staff); a lost unit says nothing about the others."""
    if returned == "lost":
        return current
    return returned if _WEAR[returned] > _WEAR.get(current, 0) else current


def shelf_units(quantity: int, returned: ReturnCondition) -> int:
    """Units a return puts back into circulation (a lost unit is gone)."""
    return 0 if returned == "lost" else quantity


def lost_units(quantity: int, returned: ReturnCondition) -> int:
    return quantity if returned == "lost" else 0


def units_to_take(quantity: int, reserved_for_borrower: bool) -> int:
    """Units a loan takes off the shelf: a ready hold of the borrower already set one aside."""
    return quantity - 1 if reserved_for_borrower else quantity


def check_new_total(total: int, count_total: int, count_available: int) -> int:
    """A station's new count of an item: never fewer than are out or kept for holds.

    Returns the change to apply to both counts."""
    away = count_total - count_available
    if total < away:
        raise Conflict(f"{away} are on loan or kept for holds; count at least that", field="count")
    return total - count_total


def check_hold_allowed(count_available: int, already_holding: bool) -> None:
    if count_available > 0:
        raise Conflict("the item is on the shelf: borrow it instead", field="item_id")
    if already_holding:
        raise Conflict("already waiting for this item", field="item_id")


def check_delivery_window(now: datetime, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("the window must end after it starts", field="ends_at")
    if ends_at - starts_at > DELIVERY_LONGEST:
        raise InvalidInput("a window of at most 24 hours", field="ends_at")
    if ends_at <= now:
        raise InvalidInput("a window that has not passed", field="ends_at")
    if starts_at > now + DELIVERY_AHEAD:
        raise InvalidInput("at most 30 days ahead", field="starts_at")


def delivery_title(item_name: str, station_name: str) -> str:
    return f"Deliver {item_name} from {station_name}"[:200]
