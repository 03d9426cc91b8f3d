"""A district's rules for tenant admins: read the version in force and the earlier ones, publish
the next. A publication takes effect for what starts afterwards: a ticket keeps the SLA policy
it started with, and a closed month keeps the formula it was scored by."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, NotFound
from civicgrid_tickets.db.rules_repo import PRIMARY_KEY, RulesRepository, StoredRule
from civicgrid_tickets.domain.tenant_rules import (
    BUILT_IN_BODIES,
    BUILT_IN_VERSION,
    RuleKind,
    parse_rule,
    rule_body,
    rule_kind,
)
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.context import TicketsContext, require_admin

# Publishers that collide on a number try again with the next; so many at once for one district
# and kind is not an admin at work, and is told to try later.
_PUBLISH_ATTEMPTS = 10
_ADMINS_ONLY = "reads and publishes the district's rules"


@dataclass(frozen=True, slots=True)
class RuleVersion:
    kind: RuleKind
    version: int
    body: dict[str, Any]
    published_at: datetime | None = None  # None: the built-in version 1
    published_by: str | None = None


@dataclass(frozen=True, slots=True)
class VersionEntry:
    version: int
    published_at: datetime | None = None  # None: the built-in version 1
    published_by: str | None = None


@dataclass(frozen=True, slots=True)
class RulesInForce:
    current: RuleVersion
    versions: list[VersionEntry]  # oldest first, the built-in 1 included


async def rules_in_force(ctx: TicketsContext, actor: Principal, kind_name: str) -> RulesInForce:
    """The kind's current version with its body, and every version the district has had."""
    require_admin(actor, _ADMINS_ONLY)
    kind = rule_kind(kind_name)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = RulesRepository(uow.session, tenant_id)
        published = await repo.versions(kind)
        latest = await repo.get(kind, published[-1].version) if published else None
    versions = [VersionEntry(BUILT_IN_VERSION)]
    versions += [VersionEntry(p.version, p.published_at, p.published_by) for p in published]
    return RulesInForce(_built_in(kind) if latest is None else _stored(latest), versions)


async def rule_version(
    ctx: TicketsContext, actor: Principal, kind_name: str, version: int
) -> RuleVersion:
    require_admin(actor, _ADMINS_ONLY)
    kind = rule_kind(kind_name)
    if version == BUILT_IN_VERSION:
        return _built_in(kind)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        found = await RulesRepository(uow.session, tenant_id).get(kind, version)
    if found is None:
        raise NotFound(f"the district has no {kind} version {version}", field="version")
    return _stored(found)


async def publish_rules(
    ctx: TicketsContext, actor: Principal, kind_name: str, data: object
) -> RuleVersion:
    """Checks the body as the domain reads it (InvalidInput names the field), stores it as the
    next version and announces it, in one transaction; this process uses it from now on."""
    require_admin(actor, _ADMINS_ONLY)
    kind = rule_kind(kind_name)
    body = rule_body(data)
    parse_rule(kind, body, BUILT_IN_VERSION + 1)  # refused before a number is taken
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = RulesRepository(uow.session, tenant_id)
        version = await _publish_next(uow, repo, kind, body, now, actor.subject)
        announced = events_pb2.RulesPublished(
            kind=kind.value, version=version, published_by=actor.subject
        )
        announced.published_at.FromDatetime(now)
        uow.add_event(ticket_event(tenant_id, f"{tenant_id}/{kind.value}", announced))
        await uow.commit()
    ctx.rules.published(tenant_id, kind, version, parse_rule(kind, body, version))
    return RuleVersion(kind, version, body, now, actor.subject)


async def _publish_next(
    uow: UnitOfWork,
    repo: RulesRepository,
    kind: RuleKind,
    body: dict[str, Any],
    at: datetime,
    by: str,
) -> int:
    """The next number, retried past numbers a concurrent publisher took first. Each attempt
    is a savepoint, so a collision undoes only itself; the next attempt's statement sees the
    winner's row (read committed takes a fresh snapshot per statement)."""
    for _ in range(_PUBLISH_ATTEMPTS):
        try:
            async with uow.savepoint():
                return await repo.publish(kind, body, at, by)
        except IntegrityError as error:
            if PRIMARY_KEY not in str(error.orig):
                raise
    raise Conflict(f"too many {kind} versions published at once; try again", field="kind")


def _stored(found: StoredRule) -> RuleVersion:
    return RuleVersion(
        found.kind, found.version, found.body, found.published_at, found.published_by
    )


def _built_in(kind: RuleKind) -> RuleVersion:
    # A copy: the built-in body is shared by the whole process.
    return RuleVersion(kind, BUILT_IN_VERSION, copy.deepcopy(dict(BUILT_IN_BODIES[kind])))
