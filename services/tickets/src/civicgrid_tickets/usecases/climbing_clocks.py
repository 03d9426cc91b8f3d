"""The clocks a ticket gets when the SLA sweep moves it a level up: the full budgets of the
policy version it started with, from now, counted in its district's current calendar."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.domain.calendar import WorkingCalendar
from civicgrid_tickets.domain.records import SlaView
from civicgrid_tickets.domain.sla import SlaPolicy
from civicgrid_tickets.domain.sla_state import TicketClocks, Timer
from civicgrid_tickets.usecases.rules_book import RulesBook


@dataclass(frozen=True, slots=True)
class FreshClocks:
    stored: str  # the clocks as JSON text, ready for COPY
    acknowledge_due: datetime | None
    resolve_due: datetime | None
    timers: tuple[Timer, ...]


class ClimbingClocks:
    """For one district's share of one sweep. Every ticket of one policy version, category and
    priority that climbs gets the same clocks, so they are computed once (a sweep climbs
    thousands), from rules looked up once for the batch, not once per ticket."""

    def __init__(
        self, policies: Mapping[int, SlaPolicy], calendar: WorkingCalendar, now: datetime
    ) -> None:
        self._policies = policies
        self._calendar = calendar
        self._now = now
        self._made: dict[tuple[int, str, str, bool], FreshClocks] = {}

    @classmethod
    async def for_district(
        cls,
        rules: RulesBook,
        session: AsyncSession,
        tenant_id: UUID,
        tickets: Iterable[SlaView],
        now: datetime,
    ) -> ClimbingClocks:
        calendar = (await rules.current(session, tenant_id)).calendar
        versions = {t.sla_policy_version for t in tickets}
        policies = {v: await rules.policy(session, tenant_id, v) for v in sorted(versions)}
        return cls(policies, calendar, now)

    def for_ticket(self, ticket: SlaView, acknowledge: bool) -> FreshClocks:
        """acknowledge: whether the new owners must still acknowledge it (a clock for that too)."""
        key = (ticket.sla_policy_version, ticket.category, ticket.priority, acknowledge)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(*key)
        return made

    def _make(self, version: int, category: str, priority: str, acknowledge: bool) -> FreshClocks:
        started = TicketClocks.start(self._policies[version], category, priority, self._now)
        clocks = TicketClocks(started.acknowledge if acknowledge else None, started.resolve)
        acknowledge_due, resolve_due = clocks.deadlines(self._calendar)
        timers = tuple(clocks.timers(self._calendar))
        return FreshClocks(json.dumps(clocks.to_dict()), acknowledge_due, resolve_due, timers)
