"""One district's star ratings are its own, twice over: a branch of the same name in another
district sees none of them, and row-level security alone hides aspects, scores and ratings."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from civicgrid_volunteers.db.ratings_repo import RatingsRepository
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.integration.test_volunteers_ratings import (
    ALL_100,
    Branch,
    rating_events,
)
from services.volunteers.tests.volunteers_support import TOKENS, District

pytestmark = pytest.mark.integration

ONE_ASPECT = {"aspects": [{"code": "study", "name": "Study", "source": "entered"}]}


@pytest.fixture
async def published(api: httpx.AsyncClient, district: District, timed: VolunteersContext) -> Branch:
    """Branch "east" of `district` with its own aspects, scores entered, November published."""
    east = await Branch(district, timed.uow).build()
    admin = east.district.admin()
    assert (await api.put("/v1/rating-aspects", json=ONE_ASPECT, headers=admin)).status_code == 200
    for person in (east.active, east.quiet):
        await east.score(api, person, {"study": 100}, "2026-11")
    done = await api.post(
        "/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=east.staff()
    )
    assert done.status_code == 201, done.text
    return east


@pytest.fixture
async def neighbour(timed: VolunteersContext) -> Branch:
    """Another district with a party branch that happens to be called "east" too."""
    return await Branch(District(), timed.uow).build()


async def test_volunteers_another_district_never_sees_the_ratings(
    api: httpx.AsyncClient, published: Branch, neighbour: Branch, timed: VolunteersContext
) -> None:
    theirs = neighbour.staff()
    their_admin = neighbour.district.admin()
    month = await api.get("/v1/ratings/2026-11?branch=east", headers=their_admin)
    assert month.json()["ratings"] == []
    member = await api.get(f"/v1/ratings/people/{published.active}", headers=theirs)
    assert member.status_code == 404
    scores = await api.get(f"/v1/ratings/2026-11/scores/{published.active}", headers=their_admin)
    assert scores.status_code == 404
    scoring = await api.put(
        f"/v1/ratings/2026-11/scores/{published.active}",
        json={"scores": ALL_100},
        headers=their_admin,
    )
    assert scoring.status_code == 404
    elsewhere = TOKENS.bearer(neighbour.district.tenant, "resident", subject=str(published.active))
    assert (await api.get("/v1/ratings/me", headers=elsewhere)).json() == []
    aspects = await api.get("/v1/rating-aspects", headers=their_admin)
    assert aspects.json()["configured"] is False and len(aspects.json()["aspects"]) == 8

    for person in (neighbour.active, neighbour.quiet):
        await neighbour.score(api, person, ALL_100, "2026-11")
    own = await api.post("/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=theirs)
    assert {r["person_id"] for r in own.json()["ratings"]} == {
        str(neighbour.active),
        str(neighbour.quiet),
    }
    assert len(await rating_events(timed.uow, published.district.tenant_id)) == 2
    first = await api.get("/v1/ratings/2026-11?branch=east", headers=published.staff())
    assert {r["person_id"] for r in first.json()["ratings"]} == {
        str(published.active),
        str(published.quiet),
    }


async def test_volunteers_row_level_security_alone_hides_another_districts_ratings(
    published: Branch, neighbour: Branch, timed: VolunteersContext
) -> None:
    first = published.district.tenant_id
    async with timed.uow(tenant_id=neighbour.district.tenant_id) as uow:
        for table in ("ratings", "rating_scores", "rating_aspects"):
            seen = await uow.session.execute(
                text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"),  # noqa: S608
                {"t": first},
            )
            assert seen.scalar_one() == 0, table
        repo = RatingsRepository(uow.session, first)
        assert await repo.history(published.active) == []
        assert await repo.of_branch("east", "2026-11") == []
        assert await repo.aspects() == []
        assert await repo.entered_scores([published.active], "2026-11") == {}

    async with timed.uow(tenant_id=first) as uow:
        assert len(await RatingsRepository(uow.session, first).history(published.active)) == 1
