"""A district's rules over HTTP, for tenant admins: the SLA policy, the working calendar and the
evaluation formula in force, their earlier versions, and publishing the next one."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, status

from civicgrid_platform.http import CurrentPrincipal, Idempotent
from civicgrid_tickets.api import schemas
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.usecases import rules

router = APIRouter(tags=["rules"])
KindPath = Path(
    max_length=64, description="sla_policy, calendar or evaluation_formula; others are 404"
)
VersionPath = Path(ge=1, le=2**31 - 1, description="1 is the built-in default")
RulesBody = Body(
    description=(
        "The rules as the domain reads them: an SLA policy {targets: [{category, priority, "
        "acknowledge_within_minutes, resolve_within_minutes, warn_at_share?, working_time?}]}, a "
        "calendar {timezone, hours: {mon: [[start, end]], ...}, holidays?, makeup_days?} or a "
        "formula {weights: {figure: weight}, target_resolve_hours?, min_sample?}. Any version "
        "given is ignored: the server numbers each publication."
    )
)


def _version(found: rules.RuleVersion) -> schemas.RuleVersionRead:
    return schemas.RuleVersionRead(**asdict(found))


@router.get("/v1/rules/{kind}")
async def rules_in_force(
    ctx: Ctx, actor: CurrentPrincipal, kind: str = KindPath
) -> schemas.RulesRead:
    found = await rules.rules_in_force(ctx, actor, kind)
    return schemas.RulesRead(
        kind=found.current.kind,
        current=_version(found.current),
        versions=[schemas.RuleVersionEntryRead(**asdict(v)) for v in found.versions],
    )


@router.get("/v1/rules/{kind}/{version}")
async def rule_version(
    ctx: Ctx, actor: CurrentPrincipal, kind: str = KindPath, version: int = VersionPath
) -> schemas.RuleVersionRead:
    return _version(await rules.rule_version(ctx, actor, kind, version))


@router.post("/v1/rules/{kind}", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def publish_rules(
    ctx: Ctx,
    actor: CurrentPrincipal,
    body: Annotated[dict[str, Any], RulesBody],
    kind: str = KindPath,
) -> schemas.RuleVersionRead:
    """Publishes the next version: tickets reported from now on start with it (a ticket keeps
    the policy it started with), and the next month to close is scored by it."""
    return _version(await rules.publish_rules(ctx, actor, kind, body))
