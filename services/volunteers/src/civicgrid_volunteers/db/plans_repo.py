"""Ticket task rules and visit plans. Every statement names the tenant (row-level security
refuses the rest anyway); nothing here commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, func, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables_plans import ticket_task_rules, visit_plans
from civicgrid_volunteers.domain.matching import SkillNeed
from civicgrid_volunteers.domain.ticket_tasks import TicketTaskRule
from civicgrid_volunteers.domain.visit_plans import VisitPlan

_RULE = [ticket_task_rules.c[n] for n in TicketTaskRule.__dataclass_fields__]
_PLAN = [visit_plans.c[n] for n in VisitPlan.__dataclass_fields__]


def _skills(raw: Sequence[Mapping[str, Any]]) -> tuple[SkillNeed, ...]:
    return tuple(SkillNeed(s["code"], int(s["min_level"])) for s in raw)


def _rule(row: Row[Any]) -> TicketTaskRule:
    values = dict(row._mapping)
    return TicketTaskRule(**values | {"skills": _skills(values["skills"])})


def _plan(row: Row[Any]) -> VisitPlan:
    values = dict(row._mapping)
    return VisitPlan(**values | {"skills": _skills(values["skills"])})


class TicketTaskRulesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get(self, category: str) -> TicketTaskRule | None:
        row = (
            await self.session.execute(
                select(*_RULE).where(
                    ticket_task_rules.c.tenant_id == self.tenant_id,
                    ticket_task_rules.c.category == category,
                )
            )
        ).first()
        return _rule(row) if row else None

    async def all(self) -> list[TicketTaskRule]:
        query = (
            select(*_RULE)
            .where(ticket_task_rules.c.tenant_id == self.tenant_id)
            .order_by(ticket_task_rules.c.category)
        )
        return [_rule(r) for r in await self.session.execute(query)]

    async def put(self, category: str, values: Mapping[str, Any], by: str) -> TicketTaskRule:
        """Creates the category's rule or replaces it whole."""
        statement = insert(ticket_task_rules).values(
            tenant_id=self.tenant_id, category=category, updated_by=by, **values
        )
        replaced = {name: statement.excluded[name] for name in (*values, "updated_by")}
        upsert = statement.on_conflict_do_update(
            index_elements=[ticket_task_rules.c.tenant_id, ticket_task_rules.c.category],
            set_=replaced | {"updated_at": statement.excluded.updated_at},
        )
        return _rule((await self.session.execute(upsert.returning(*_RULE))).one())

    async def delete(self, category: str) -> bool:
        statement = delete(ticket_task_rules).where(
            ticket_task_rules.c.tenant_id == self.tenant_id,
            ticket_task_rules.c.category == category,
        )
        result = await self.session.execute(statement.returning(ticket_task_rules.c.category))
        return result.first() is not None


class VisitPlansRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def insert(self, values: Mapping[str, Any]) -> VisitPlan:
        statement = (
            visit_plans.insert().values(tenant_id=self.tenant_id, **values).returning(*_PLAN)
        )
        return _plan((await self.session.execute(statement)).one())

    async def get(self, plan_id: UUID, *, lock: bool = False) -> VisitPlan | None:
        query = select(*_PLAN).where(
            visit_plans.c.tenant_id == self.tenant_id, visit_plans.c.id == plan_id
        )
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return _plan(row) if row else None

    async def change(self, plan_id: UUID, values: Mapping[str, Any]) -> VisitPlan:
        statement = (
            update(visit_plans)
            .where(visit_plans.c.tenant_id == self.tenant_id, visit_plans.c.id == plan_id)
            .values(**values, updated_at=func.now())
            .returning(*_PLAN)
        )
        return _plan((await self.session.execute(statement)).one())

    async def page(
        self,
        client_person_id: UUID | None,
        active: bool | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[VisitPlan]:
        query = select(*_PLAN).where(visit_plans.c.tenant_id == self.tenant_id)
        if client_person_id is not None:
            query = query.where(visit_plans.c.client_person_id == client_person_id)
        if active is not None:
            query = query.where(visit_plans.c.active == active)
        if after is not None:
            query = query.where(
                tuple_(visit_plans.c.created_at, visit_plans.c.id)
                > tuple_(*(literal(v) for v in after))
            )
        query = query.order_by(visit_plans.c.created_at, visit_plans.c.id).limit(limit)
        return [_plan(r) for r in await self.session.execute(query)]
