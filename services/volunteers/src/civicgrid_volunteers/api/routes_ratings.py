"""HTTP routes: the party members' monthly star rating. Tenant admins configure the aspects;
a branch's staff enter scores, publish the month and read their members' ratings; a member
reads their own history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status

from civicgrid_platform.http import CurrentPrincipal, Idempotent
from civicgrid_volunteers.api import schemas_ratings as schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.db.ratings_repo import StoredRating
from civicgrid_volunteers.domain.rating import Aspect
from civicgrid_volunteers.usecases import ratings
from civicgrid_volunteers.usecases.ratings import AspectSet, BranchMonth, EnteredScores

router = APIRouter(tags=["ratings"])
Month = Path(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM in the district's time zone")
BranchQuery = Query(
    min_length=1,
    max_length=200,
    pattern=schemas.NO_NUL,
    description="The party branch; staff's own when left out",
)


@router.get("/v1/rating-aspects")
async def rating_aspects(ctx: Ctx, actor: CurrentPrincipal) -> schemas.AspectsRead:
    return _aspects(await ratings.district_aspects(ctx, actor))


@router.put("/v1/rating-aspects")
async def configure_rating_aspects(
    body: schemas.AspectsWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.AspectsRead:
    """Tenant admins replace the district's aspects; published ratings keep theirs."""
    given = [Aspect(a.code, a.name, a.source, a.weight, a.full_at) for a in body.aspects]
    return _aspects(await ratings.configure_aspects(ctx, actor, given))


@router.get("/v1/ratings/me")
async def my_ratings(ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.RatingRead]:
    """The caller's published ratings, latest month first."""
    return [_rating(r) for r in await ratings.rating_history(ctx, actor, None)]


@router.get("/v1/ratings/people/{person_id}")
async def member_ratings(
    person_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> list[schemas.RatingRead]:
    """A member's published ratings, latest month first: the member or their branch's staff."""
    return [_rating(r) for r in await ratings.rating_history(ctx, actor, person_id)]


@router.put("/v1/ratings/{month}/scores/{person_id}")
async def enter_scores(
    person_id: UUID,
    body: schemas.ScoresWrite,
    ctx: Ctx,
    actor: CurrentPrincipal,
    month: str = Month,
) -> schemas.ScoresRead:
    """The member's branch scores entered aspects (0..100) for the month."""
    return _scores(await ratings.enter_scores(ctx, actor, month, person_id, body.scores))


@router.get("/v1/ratings/{month}/scores/{person_id}")
async def entered_scores(
    person_id: UUID, ctx: Ctx, actor: CurrentPrincipal, month: str = Month
) -> schemas.ScoresRead:
    return _scores(await ratings.scores_entered(ctx, actor, month, person_id))


@router.post(
    "/v1/ratings/{month}/publish", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent]
)
async def publish_month(
    body: schemas.PublishWrite, ctx: Ctx, actor: CurrentPrincipal, month: str = Month
) -> schemas.BranchRatingsRead:
    """Rates each party member of the branch for the month and announces it; publishing again
    replaces the month's ratings. 409 while entered scores are missing, unless allow_missing."""
    done = await ratings.publish_month(
        ctx, actor, month, body.branch, allow_missing=body.allow_missing
    )
    return _branch(done)


@router.get("/v1/ratings/{month}")
async def branch_ratings(
    ctx: Ctx,
    actor: CurrentPrincipal,
    month: str = Month,
    branch: Annotated[str | None, BranchQuery] = None,
) -> schemas.BranchRatingsRead:
    """A branch's published ratings for the month, best first: its staff or a tenant admin."""
    return _branch(await ratings.branch_ratings(ctx, actor, month, branch))


def _aspects(found: AspectSet) -> schemas.AspectsRead:
    return schemas.AspectsRead(
        configured=found.configured,
        aspects=[
            schemas.AspectRead(
                code=a.code, name=a.name, source=a.source, weight=a.weight, full_at=a.full_at
            )
            for a in found.aspects
        ],
    )


def _scores(found: EnteredScores) -> schemas.ScoresRead:
    return schemas.ScoresRead(
        person_id=found.person_id,
        month=found.month,
        scores=found.scores,
        missing=list(found.missing),
    )


def _rating(found: StoredRating) -> schemas.RatingRead:
    return schemas.RatingRead(
        person_id=found.person_id,
        month=found.month,
        party_branch=found.party_branch,
        total=found.total,
        stars=found.stars,
        aspects=[schemas.AspectScoreRead.model_validate(a) for a in found.aspects],
        published_at=found.published_at,
        published_by=found.published_by,
    )


def _branch(found: BranchMonth) -> schemas.BranchRatingsRead:
    return schemas.BranchRatingsRead(
        branch=found.branch, month=found.month, ratings=[_rating(r) for r in found.ratings]
    )
