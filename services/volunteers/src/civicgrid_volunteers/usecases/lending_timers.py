"""The lending station's timers: reminders before and after a loan's due date, lapsed holds."""

from __future__ import annotations

from civicgrid_volunteers.usecases.timers import TimerHandler

LENDING_TIMERS: dict[str, TimerHandler] = {}
