"""Offers' timers: the next round of offers, expiries, reminders and no-show checks."""

from __future__ import annotations

from civicgrid_volunteers.usecases.attendance import check_no_show, remind
from civicgrid_volunteers.usecases.offering import (
    NO_SHOW_CHECK,
    OFFER_EXPIRY,
    REMINDER,
    offer_expired,
    offer_round,
)
from civicgrid_volunteers.usecases.tasks import OFFER_ROUND
from civicgrid_volunteers.usecases.timers import TimerHandler

OFFER_TIMERS: dict[str, TimerHandler] = {
    OFFER_ROUND: offer_round,
    OFFER_EXPIRY: offer_expired,
    REMINDER: remind,
    NO_SHOW_CHECK: check_no_show,
}
