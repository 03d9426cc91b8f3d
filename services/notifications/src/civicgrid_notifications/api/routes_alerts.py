"""The emergency-alert chain: raise, answer, look, and set it up."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from civicgrid_notifications.api import schemas_alerts as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.db.alerts_repo import Alert
from civicgrid_notifications.db.care_repo import CareProfile
from civicgrid_notifications.domain.alerts import AlertPolicy
from civicgrid_notifications.usecases import alerts
from civicgrid_platform.http import CurrentPrincipal, Idempotent

router = APIRouter(tags=["alerts"])


def alert_read(a: Alert) -> schemas.AlertRead:
    return schemas.AlertRead(**{k: getattr(a, k) for k in schemas.AlertRead.model_fields})


@router.post("/v1/alerts", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def raise_alert(
    body: schemas.RaiseAlert, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.AlertRead:
    """Staff raise an alert on a person's behalf; the chain starts at once."""
    return alert_read(await alerts.raise_for(ctx, actor, body.person_id))


@router.get("/v1/alerts")
async def list_alerts(
    ctx: Ctx,
    actor: CurrentPrincipal,
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> schemas.AlertList:
    return schemas.AlertList(
        items=[alert_read(a) for a in await alerts.listing(ctx, actor, open_only)]
    )


@router.get("/v1/alerts/{alert_id}")
async def get_alert(alert_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.AlertDetail:
    """The alert with everyone asked and its whole timeline."""
    found = await alerts.view(ctx, actor, alert_id)
    return schemas.AlertDetail(
        **alert_read(found.alert).model_dump(),
        responders=[schemas.ResponderRead(**asdict(r)) for r in found.responders],
        timeline=[schemas.TimelineRead(**asdict(t)) for t in found.timeline],
    )


@router.post("/v1/alerts/{alert_id}/acknowledge")
async def acknowledge(alert_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.AlertRead:
    """The caller takes responsibility: the chain stops."""
    return alert_read(await alerts.acknowledge(ctx, actor, alert_id))


@router.post("/v1/alerts/{alert_id}/on-site")
async def on_site(alert_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.AlertRead:
    return alert_read(await alerts.on_site(ctx, actor, alert_id))


@router.post("/v1/alerts/{alert_id}/resolve")
async def resolve(
    alert_id: UUID, body: schemas.ResolveAlert, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.AlertRead:
    return alert_read(await alerts.resolve(ctx, actor, alert_id, body.outcome, body.note))


@router.get("/v1/alert-policy")
async def get_policy(ctx: Ctx, actor: CurrentPrincipal) -> schemas.PolicyBody:
    return schemas.PolicyBody(**(await alerts.policy(ctx, actor)).as_json())


@router.put("/v1/alert-policy")
async def put_policy(
    body: schemas.PolicyBody, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.PolicyBody:
    """Alerts raised from now on follow it; an open alert keeps the policy it was raised with."""
    saved = await alerts.save_policy(ctx, actor, AlertPolicy(**body.model_dump()))
    return schemas.PolicyBody(**saved.as_json())


@router.get("/v1/alert-duty/{unit_id}")
async def get_roster(unit_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.RosterRead:
    return schemas.RosterRead(unit_id=unit_id, duties=await alerts.roster(ctx, actor, unit_id))


@router.put("/v1/alert-duty/{unit_id}")
async def put_roster(
    unit_id: UUID, body: schemas.RosterBody, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.RosterRead:
    duties = await alerts.save_roster(ctx, actor, unit_id, body.duties)
    return schemas.RosterRead(unit_id=unit_id, duties=duties)


@router.get("/v1/care-profiles/{person_id}")
async def get_care_profile(
    person_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.CareProfileRead:
    return schemas.CareProfileRead(**asdict(await alerts.care_profile(ctx, actor, person_id)))


@router.put("/v1/care-profiles/{person_id}")
async def put_care_profile(
    person_id: UUID, body: schemas.CareProfileBody, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.CareProfileRead:
    """Where an elderly person living alone is found (the chain's grid, address and the point
    volunteers are searched around) and, with device_id, how often their device checks in."""
    profile = CareProfile(
        person_id, body.display_name, body.phone, body.grid_id, body.address, body.lat, body.lon
    )
    heartbeat = (body.device_id, body.heartbeat_seconds) if body.device_id else None
    return schemas.CareProfileRead(
        **asdict(await alerts.save_care_profile(ctx, actor, profile, heartbeat))
    )


@router.post("/v1/alert-drills", status_code=status.HTTP_201_CREATED)
async def schedule_drill(
    body: schemas.DrillBody, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DrillRead:
    """A drill runs the person's chain at `at` without calling the family; it closes itself
    as soon as someone acknowledges."""
    at = await alerts.schedule_drill(ctx, actor, body.person_id, body.at)
    return schemas.DrillRead(person_id=body.person_id, at=at)
