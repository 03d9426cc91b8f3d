"""Every kind of timer and who handles it."""

from __future__ import annotations

from civicgrid_volunteers.usecases.lending_timers import LENDING_TIMERS
from civicgrid_volunteers.usecases.offer_timers import OFFER_TIMERS
from civicgrid_volunteers.usecases.timers import TimerHandler
from civicgrid_volunteers.usecases.visit_plans import VISIT_PLAN_TIMERS

HANDLERS: dict[str, TimerHandler] = {**OFFER_TIMERS, **LENDING_TIMERS, **VISIT_PLAN_TIMERS}
