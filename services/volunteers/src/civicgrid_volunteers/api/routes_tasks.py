"""Tasks over HTTP: staff create, list, read, cancel; see the offers made and why; look for
the best volunteers for a need without making offers; set the district's matching policy."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams
from civicgrid_volunteers.api import schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.db.offers_repo import OfferRecord
from civicgrid_volunteers.domain.policy import MatchingPolicy
from civicgrid_volunteers.domain.tasks import Task
from civicgrid_volunteers.usecases import offers_view, policies, tasks

router = APIRouter(tags=["tasks"])


def task_read(t: Task) -> schemas.TaskRead:
    fields = asdict(t)
    for dropped in ("tenant_id", "offer_round"):
        del fields[dropped]
    fields["skills"] = [schemas.SkillNeed(code=s.code, min_level=s.min_level) for s in t.skills]
    return schemas.TaskRead(**fields)


def offer_read(o: OfferRecord) -> schemas.OfferRead:
    return schemas.OfferRead(**asdict(o))


@router.post("/v1/tasks", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def create_task(
    body: schemas.TaskWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.TaskRead:
    fields: dict[str, Any] = body.model_dump()
    fields["skills"] = [s.model_dump() for s in body.skills]
    created = await tasks.create_task(ctx, actor, fields)
    return task_read(created.task)


@router.get("/v1/tasks", response_model=CursorPage[schemas.TaskRead])
async def list_tasks(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams, status: str | None = None
) -> CursorPage[schemas.TaskRead]:
    after = None
    if page.after:
        after = (datetime.fromisoformat(page.after["starts_at"]), UUID(page.after["id"]))
    found = await tasks.page(ctx, actor, status, after, page.fetch_limit)
    return page.page(
        [task_read(t) for t in found],
        lambda t: {"starts_at": t.starts_at.isoformat(), "id": str(t.id)},
    )


@router.get("/v1/tasks/{task_id}")
async def get_task(task_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.TaskRead:
    return task_read(await tasks.get_task(ctx, actor, task_id))


@router.post("/v1/tasks/{task_id}/cancel")
async def cancel_task(
    task_id: UUID, body: schemas.CancelTask, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.TaskRead:
    return task_read(await tasks.cancel_task(ctx, actor, task_id, body.reason))


@router.get("/v1/tasks/{task_id}/offers")
async def task_offers(task_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.OfferRead]:
    """Every offer of the task with its score breakdown: who was asked, and why them."""
    return [offer_read(o) for o in await offers_view.of_task(ctx, actor, task_id)]


@router.get("/v1/tasks/{task_id}/candidates")
async def task_candidates(
    task_id: UUID, ctx: Ctx, actor: CurrentPrincipal, n: int = 10
) -> list[schemas.CandidateRead]:
    """The best volunteers for the task now, with their scores, without offering anything."""
    matches = await offers_view.candidates(ctx, actor, task_id, max(1, min(n, 50)))
    return [
        schemas.CandidateRead(
            volunteer_id=m.candidate.volunteer_id,
            person_id=m.candidate.person_id,
            display_name=m.candidate.display_name,
            distance_m=round(m.candidate.distance_m, 1),
            score=m.score,
            breakdown=[schemas.ScorePartRead(**asdict(p)) for p in m.parts],
        )
        for m in matches
    ]


@router.get("/v1/matching-policy")
async def get_policy(ctx: Ctx, actor: CurrentPrincipal) -> MatchingPolicy:
    return await policies.current(ctx, actor)


@router.put("/v1/matching-policy")
async def put_policy(body: MatchingPolicy, ctx: Ctx, actor: CurrentPrincipal) -> MatchingPolicy:
    """The district's weights, search radius, offer timeouts, urgent fan-out, no-show pause."""
    return await policies.put(ctx, actor, body)
