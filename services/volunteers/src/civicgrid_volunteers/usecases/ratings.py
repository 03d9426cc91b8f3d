"""The party members' monthly star rating: the district's aspects (tenant admins), the scores a
branch enters, publishing a branch's month, and reading ratings.

Branch rules: staff act for the party branch they belong to themselves (their own person's
party_branch in the people read model); a tenant admin acts for any branch. A member reads
their own ratings; branch staff read their branch's members; other staff are refused."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from civicgrid_volunteers.db.people_repo import PeopleRepository, Person
from civicgrid_volunteers.db.ratings_repo import RatingsRepository, StoredRating
from civicgrid_volunteers.domain.rating import (
    DEFAULT_ASPECTS,
    ENTERED,
    Aspect,
    ServiceRecord,
    check_aspects,
    check_entered,
    check_month,
    check_month_begun,
    month_window,
    rate,
)
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import (
    ADMIN_ROLES,
    VolunteersContext,
    person_of,
    require_admin,
    require_staff,
)

# How many members without scores a refused publication names.
_NAMED_MISSING = 5


@dataclass(frozen=True, slots=True)
class AspectSet:
    aspects: tuple[Aspect, ...]
    configured: bool  # False: the built-in eight


@dataclass(frozen=True, slots=True)
class EnteredScores:
    person_id: uuid.UUID
    month: str
    scores: dict[str, float]  # entered aspect -> score, for the district's entered aspects
    missing: tuple[str, ...]  # entered aspects not scored yet


@dataclass(frozen=True, slots=True)
class BranchMonth:
    branch: str
    month: str
    ratings: list[StoredRating]


async def district_aspects(ctx: VolunteersContext, actor: Principal) -> AspectSet:
    """What the district's members are rated on; anyone of the district may read it."""
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await _aspects(RatingsRepository(uow.session, tenant_id))


async def configure_aspects(
    ctx: VolunteersContext, actor: Principal, aspects: Sequence[Aspect]
) -> AspectSet:
    """Replaces the district's aspects; published ratings keep the aspects they were made by."""
    require_admin(actor, "configures the star rating's aspects")
    checked = check_aspects(aspects)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        await RatingsRepository(uow.session, tenant_id).replace_aspects(checked)
        await uow.commit()
    return AspectSet(checked, configured=True)


async def enter_scores(
    ctx: VolunteersContext,
    actor: Principal,
    month: str,
    person_id: uuid.UUID,
    scores: Mapping[str, float],
) -> EnteredScores:
    """The member's branch (or a tenant admin) scores entered aspects for a month; a score
    entered again replaces the earlier one. Publishing the month puts them into the rating."""
    now = ctx.clock()
    check_month_begun(month, now, ctx.default_timezone)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = RatingsRepository(uow.session, tenant_id)
        people = PeopleRepository(uow.session, tenant_id)
        member = await _party_member(people, person_id)
        await _require_branch(people, actor, member.party_branch, "score its members")
        aspects = await _aspects(repo)
        checked = check_entered(aspects.aspects, scores)
        await repo.enter_scores(person_id, month, checked, actor.subject, now)
        entered = (await repo.entered_scores([person_id], month)).get(person_id, {})
        await uow.commit()
    return _entered(person_id, month, aspects.aspects, entered)


async def scores_entered(
    ctx: VolunteersContext, actor: Principal, month: str, person_id: uuid.UUID
) -> EnteredScores:
    check_month(month)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = RatingsRepository(uow.session, tenant_id)
        people = PeopleRepository(uow.session, tenant_id)
        member = await _party_member(people, person_id)
        await _require_branch(people, actor, member.party_branch, "read its members' scores")
        aspects = await _aspects(repo)
        entered = (await repo.entered_scores([person_id], month)).get(person_id, {})
    return _entered(person_id, month, aspects.aspects, entered)


async def publish_month(
    ctx: VolunteersContext, actor: Principal, month: str, branch: str, *, allow_missing: bool
) -> BranchMonth:
    """Rates every party member of the branch for the month and announces each rating
    (rating.published). Publishing a month again replaces its ratings and announces them again.
    Refused (409, field "scores") while entered aspects lack scores, unless allow_missing, which
    counts them as 0."""
    now = ctx.clock()
    check_month_begun(month, now, ctx.default_timezone)
    start, end = month_window(month, ctx.default_timezone)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = RatingsRepository(uow.session, tenant_id)
        people = PeopleRepository(uow.session, tenant_id)
        await _require_branch(people, actor, branch, "publish its ratings")
        members = [p for p in await people.of_branch(branch) if p.party_category]
        if not members:
            raise NotFound("the branch has no party members", field="branch")
        ids = [m.person_id for m in members]
        aspects = (await _aspects(repo)).aspects
        entered = await repo.entered_scores(ids, month)
        records = await repo.service_records(ids, start, end)
        rated = []
        for member in members:
            record = records.get(member.person_id, ServiceRecord())
            rated.append((member, rate(aspects, record, entered.get(member.person_id, {}))))
        unscored = [(m, r.missing) for m, r in rated if r.missing]
        if unscored and not allow_missing:
            raise Conflict(_missing_detail(unscored), field="scores")
        for member, rating in rated:
            await repo.save_rating(member.person_id, month, branch, rating, actor.subject, now)
            published = events_pb2.RatingPublished(
                person_id=str(member.person_id),
                month=month,
                stars=rating.stars,
                total=rating.total,
                aspects={a.code: a.score for a in rating.aspects},
            )
            uow.add_event(volunteer_event(tenant_id, member.person_id, published))
        # Only those just rated: someone rated with the branch before and moved since is not.
        rated_ids = set(ids)
        stored = [r for r in await repo.of_branch(branch, month) if r.person_id in rated_ids]
        await uow.commit()
    return BranchMonth(branch, month, stored)


async def branch_ratings(
    ctx: VolunteersContext, actor: Principal, month: str, branch: str | None
) -> BranchMonth:
    """A branch's published ratings for a month; staff's own branch when none is named."""
    check_month(month)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        if branch is None:
            branch = await _own_branch(people, actor)
            if not branch:
                raise InvalidInput("name the party branch", field="branch")
        await _require_branch(people, actor, branch, "read its ratings")
        found = await RatingsRepository(uow.session, tenant_id).of_branch(branch, month)
    return BranchMonth(branch, month, found)


async def rating_history(
    ctx: VolunteersContext, actor: Principal, person_id: uuid.UUID | None
) -> list[StoredRating]:
    """A member's published ratings, latest month first; person_id None: the caller's own."""
    tenant_id = actor.tenant_uuid
    me = person_of(actor)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        if person_id is None or person_id == me:
            if me is None:
                raise InvalidInput("this caller is not a person", field="person_id")
            return await RatingsRepository(uow.session, tenant_id).history(me)
        people = PeopleRepository(uow.session, tenant_id)
        require_staff(actor, "read another member's ratings")
        member = await people.get(person_id)
        if member is None:
            raise NotFound("no such person in the district", field="person_id")
        await _require_branch(people, actor, member.party_branch, "read its members' ratings")
        return await RatingsRepository(uow.session, tenant_id).history(person_id)


async def _aspects(repo: RatingsRepository) -> AspectSet:
    configured = await repo.aspects()
    if configured:
        return AspectSet(tuple(configured), configured=True)
    return AspectSet(DEFAULT_ASPECTS, configured=False)


async def _party_member(people: PeopleRepository, person_id: uuid.UUID) -> Person:
    member = await people.get(person_id)
    if member is None or not member.party_category:
        raise NotFound("no party member with this id in the district", field="person_id")
    return member


async def _require_branch(
    people: PeopleRepository, actor: Principal, branch: str, doing: str
) -> None:
    """Tenant admins act for every branch; staff for their own."""
    if actor.has_role(*ADMIN_ROLES):
        return
    require_staff(actor, doing)
    own = await _own_branch(people, actor)
    if not own or own != branch:
        raise Forbidden(f"only the branch's own staff or a tenant admin {doing}")


async def _own_branch(people: PeopleRepository, actor: Principal) -> str:
    me = person_of(actor)
    found = await people.get(me) if me is not None else None
    return found.party_branch if found else ""


def _entered(
    person_id: uuid.UUID, month: str, aspects: Sequence[Aspect], entered: Mapping[str, float]
) -> EnteredScores:
    codes = [a.code for a in aspects if a.source == ENTERED]
    scores = {code: entered[code] for code in codes if code in entered}
    missing = tuple(code for code in codes if code not in entered)
    return EnteredScores(person_id, month, scores, missing)


def _missing_detail(unscored: list[tuple[Person, tuple[str, ...]]]) -> str:
    named = "; ".join(
        f"{m.display_name or m.person_id}: {', '.join(codes)}"
        for m, codes in unscored[:_NAMED_MISSING]
    )
    more = len(unscored) - _NAMED_MISSING
    tail = f" and {more} more" if more > 0 else ""
    return (
        f"{len(unscored)} members lack entered scores ({named}{tail}); enter them, or publish "
        "with allow_missing to count them as 0"
    )
