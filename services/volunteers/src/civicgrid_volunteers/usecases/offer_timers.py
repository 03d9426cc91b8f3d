"""Offers' timers: the next round of offers, expiries, reminders and no-show checks."""

from __future__ import annotations

from civicgrid_volunteers.usecases.timers import TimerHandler

OFFER_TIMERS: dict[str, TimerHandler] = {}
