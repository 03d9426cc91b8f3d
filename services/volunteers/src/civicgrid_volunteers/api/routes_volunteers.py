"""Volunteer profiles over HTTP: register, see and correct one's own, staff manage."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from civicgrid_platform.errors import InvalidInput
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams
from civicgrid_volunteers.api import schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.domain.profiles import Profile
from civicgrid_volunteers.usecases import profiles

router = APIRouter(tags=["volunteers"])


def _read(p: Profile) -> schemas.VolunteerRead:
    return schemas.VolunteerRead(
        id=p.id,
        person_id=p.person_id,
        display_name=p.display_name,
        skills={
            c: schemas.SkillRead(level=s.level, verified=s.verified) for c, s in p.skills.items()
        },
        languages=p.languages,
        home_lat=p.home_lat,
        home_lon=p.home_lon,
        grid_id=p.grid_id,
        community_id=p.community_id,
        timezone=p.timezone,
        weekly_availability=[schemas.Slot(**s) for s in p.weekly_availability],
        unavailable=[schemas.Period(**u) for u in p.unavailable],
        weekly_task_cap=p.weekly_task_cap,
        weekly_minutes_cap=p.weekly_minutes_cap,
        on_duty=p.on_duty,
        safeguarding_until=p.safeguarding_until,
        paused_until=p.paused_until,
        active=p.active,
        reliability=p.counters,
    )


def _fields(body: schemas.VolunteerWrite) -> dict[str, Any]:
    """What the body set, in the shapes the database keeps (JSON for schedules)."""
    fields = body.model_dump(exclude_unset=True, mode="json")
    for key in ("person_id", "grid_id", "community_id"):
        if fields.get(key) is not None:
            fields[key] = getattr(body, key)
    if fields.get("safeguarding_until") is not None:
        fields["safeguarding_until"] = body.safeguarding_until
    return fields


@router.post("/v1/volunteers", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def register_volunteer(
    body: schemas.VolunteerWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.VolunteerRead:
    """Register yourself (or, as staff, someone else) as a volunteer of the district."""
    fields = _fields(body)
    for required in ("home_lat", "home_lon"):
        if fields.get(required) is None:
            raise InvalidInput("where the volunteer lives", field=required)
    return _read(await profiles.register(ctx, actor, fields))


@router.get("/v1/volunteers/me")
async def my_profile(ctx: Ctx, actor: CurrentPrincipal) -> schemas.VolunteerRead:
    return _read(await profiles.mine(ctx, actor))


@router.patch("/v1/volunteers/me")
async def correct_my_profile(
    body: schemas.VolunteerWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.VolunteerRead:
    mine = await profiles.mine(ctx, actor)
    return _read(await profiles.change(ctx, actor, mine.id, _fields(body)))


@router.get("/v1/volunteers", response_model=CursorPage[schemas.VolunteerRead])
async def list_volunteers(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    grid_id: UUID | None = None,
) -> CursorPage[schemas.VolunteerRead]:
    after = (page.after["name"], UUID(page.after["id"])) if page.after else None
    found = await profiles.page(ctx, actor, after, page.fetch_limit, grid_id)
    return page.page([_read(p) for p in found], lambda v: {"name": v.display_name, "id": str(v.id)})


@router.get("/v1/volunteers/{volunteer_id}")
async def get_volunteer(
    volunteer_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.VolunteerRead:
    return _read(await profiles.get(ctx, actor, volunteer_id))


@router.patch("/v1/volunteers/{volunteer_id}")
async def change_volunteer(
    volunteer_id: UUID, body: schemas.VolunteerWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.VolunteerRead:
    return _read(await profiles.change(ctx, actor, volunteer_id, _fields(body)))
