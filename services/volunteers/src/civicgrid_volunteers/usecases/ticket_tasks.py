"""Ticket categories that need volunteers: the tenant admin maps a category to a task
template; each ticket reported in that category then becomes a task, made in the consumer's
transaction (the same one that records the event in the inbox)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import NotFound
from civicgrid_volunteers.db.plans_repo import TicketTaskRulesRepository
from civicgrid_volunteers.domain.tasks import Task
from civicgrid_volunteers.domain.ticket_tasks import (
    ReportedTicket,
    TicketTaskRule,
    check_rule,
    located,
    task_fields,
)
from civicgrid_volunteers.usecases.context import VolunteersContext, require_admin, require_staff
from civicgrid_volunteers.usecases.tasks import add_task_once

logger = logging.getLogger(__name__)


async def list_rules(ctx: VolunteersContext, actor: Principal) -> list[TicketTaskRule]:
    require_staff(actor, "read ticket task rules")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await TicketTaskRulesRepository(uow.session, actor.tenant_uuid).all()


async def get_rule(ctx: VolunteersContext, actor: Principal, category: str) -> TicketTaskRule:
    require_staff(actor, "read ticket task rules")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        rule = await TicketTaskRulesRepository(uow.session, actor.tenant_uuid).get(category)
    if rule is None:
        raise NotFound("no rule for this category", field="category")
    return rule


async def put_rule(
    ctx: VolunteersContext, actor: Principal, category: str, fields: Mapping[str, Any]
) -> TicketTaskRule:
    """The category's tickets need this task from now on (replacing any earlier rule)."""
    require_admin(actor, "maps ticket categories to tasks")
    values = dict(fields)
    check_rule(values)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = TicketTaskRulesRepository(uow.session, actor.tenant_uuid)
        rule = await repo.put(category, values, actor.subject)
        await uow.commit()
    return rule


async def delete_rule(ctx: VolunteersContext, actor: Principal, category: str) -> None:
    """The category's tickets need no volunteers from now on; tasks already made stay."""
    require_admin(actor, "maps ticket categories to tasks")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        if not await TicketTaskRulesRepository(uow.session, actor.tenant_uuid).delete(category):
            raise NotFound("no rule for this category", field="category")
        await uow.commit()


async def task_for_ticket(
    uow: UnitOfWork, tenant_id: UUID, ticket: ReportedTicket, now: datetime
) -> Task | None:
    """The task a reported ticket needs, if its category has a rule; in the caller's
    transaction. None when no task is due: no rule, no location, a window already over (a
    replay long after the report), or the ticket's task was made before."""
    rule = await TicketTaskRulesRepository(uow.session, tenant_id).get(ticket.category)
    if rule is None:
        return None
    if not located(ticket):
        logger.info(
            "ticket %s (%s) has no usable location: no volunteer task",
            ticket.number,
            ticket.category,
        )
        return None
    fields = task_fields(rule, ticket)
    if fields["ends_at"] <= now:
        logger.info("ticket %s: its task's window is already over", ticket.number)
        return None
    return await add_task_once(uow, tenant_id, fields)
