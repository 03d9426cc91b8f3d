"""The party members' star rating against the real database: computed aspects come from the
month's ledger and assignments, entered ones from the branch; publishing stores a history and
announces rating.published; a branch sees its members, a member their own ratings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.ledger import post_hours
from services.volunteers.tests.volunteers_support import TOKENS, District, outbox

pytestmark = pytest.mark.integration

ENTERED_SCORES = {
    "study": 80,
    "mutual_help": 90,
    "pioneering_example": 70,
    "activities": 60,
    "conduct": 100,
}
ALL_100 = dict.fromkeys(ENTERED_SCORES, 100)


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


async def add_person(
    uows: UnitOfWorkFactory, tenant: uuid.UUID, branch: str, category: str = "direct"
) -> uuid.UUID:
    person = uuid.uuid4()
    async with uows(tenant_id=tenant) as uow:
        await uow.session.execute(
            text(
                "INSERT INTO people (tenant_id, person_id, display_name, party_category,"
                " party_branch) VALUES (:t, :p, :n, :c, :b)"
            ),
            {"t": tenant, "p": person, "n": f"member {person.hex[:6]}", "c": category, "b": branch},
        )
        await uow.commit()
    return person


async def add_volunteer(
    uows: UnitOfWorkFactory, tenant: uuid.UUID, person: uuid.UUID, **counters: int
) -> uuid.UUID:
    columns = {"tasks_completed": 0, "no_shows": 0, "late_cancellations": 0, **counters}
    async with uows(tenant_id=tenant) as uow:
        volunteer: uuid.UUID = (
            await uow.session.execute(
                text(
                    "INSERT INTO volunteers (tenant_id, person_id, display_name, home_lat,"
                    " home_lon, timezone, tasks_completed, no_shows, late_cancellations)"
                    " VALUES (:t, :p, 'Wang Fang', 36.65, 117.0, 'Asia/Shanghai',"
                    " :tasks_completed, :no_shows, :late_cancellations) RETURNING id"
                ),
                {"t": tenant, "p": person, **columns},
            )
        ).scalar_one()
        await uow.commit()
    return volunteer


async def add_assignment(
    uows: UnitOfWorkFactory,
    tenant: uuid.UUID,
    volunteer: uuid.UUID,
    starts_at: datetime,
    status: str,
    *,
    late: bool = False,
) -> None:
    """A two-hour task and the volunteer's assignment on it, ended as `status`."""
    ends_at = starts_at.replace(hour=starts_at.hour + 2)
    checked_out = ends_at if status == "completed" else None
    async with uows(tenant_id=tenant) as uow:
        task = (
            await uow.session.execute(
                text(
                    "INSERT INTO tasks (tenant_id, kind, title, lat, lon, starts_at, ends_at,"
                    " volunteers_needed, urgency) VALUES (:t, 'elderly_visit', 'Visit', 36.65,"
                    " 117.0, :s, :e, 1, 'normal') RETURNING id"
                ),
                {"t": tenant, "s": starts_at, "e": ends_at},
            )
        ).scalar_one()
        await uow.session.execute(
            text(
                "INSERT INTO assignments (tenant_id, task_id, volunteer_id, starts_at, ends_at,"
                " status, accepted_at, late_cancellation, checked_out_at)"
                " VALUES (:t, :task, :v, :s, :e, :status, :s, :late, :out)"
            ),
            {
                "t": tenant,
                "task": task,
                "v": volunteer,
                "s": starts_at,
                "e": ends_at,
                "status": status,
                "late": late,
                "out": checked_out,
            },
        )
        await uow.commit()


async def log_minutes(
    uows: UnitOfWorkFactory, tenant: uuid.UUID, volunteer: uuid.UUID, minutes: int, when: datetime
) -> None:
    reason = "check_out" if minutes > 0 else "correction"
    async with uows(tenant_id=tenant) as uow:
        await post_hours(
            uow, tenant, volunteer, minutes, reason=reason, worked_on=when, actor_id="s", note="n"
        )
        await uow.commit()


async def rating_events(
    uows: UnitOfWorkFactory, tenant: uuid.UUID
) -> list[events_pb2.RatingPublished]:
    published = await outbox(uows, tenant, "rating.published")
    return [events_pb2.RatingPublished.FromString(payload) for _, payload in published]


class Branch:
    """A district with party branch "east" (two members, a resident who is not a member, and
    the branch's staff member) and branch "west" (one member, its own staff member)."""

    def __init__(self, district: District, uows: UnitOfWorkFactory) -> None:
        self.district = district
        self.uows = uows

    async def build(self) -> Branch:
        tenant = self.district.tenant_id
        self.staff_person = await add_person(self.uows, tenant, "east", category="")
        self.active = await add_person(self.uows, tenant, "east")
        self.quiet = await add_person(self.uows, tenant, "east", category="floating")
        self.resident = await add_person(self.uows, tenant, "east", category="")
        self.west_staff_person = await add_person(self.uows, tenant, "west", category="")
        self.west_member = await add_person(self.uows, tenant, "west")
        return self

    def staff(self) -> dict[str, str]:
        return TOKENS.bearer(
            self.district.tenant, "community_staff", subject=str(self.staff_person)
        )

    def west_staff(self) -> dict[str, str]:
        return TOKENS.bearer(
            self.district.tenant, "community_staff", subject=str(self.west_staff_person)
        )

    async def score(
        self, api: httpx.AsyncClient, person: uuid.UUID, scores: dict[str, Any], month: str
    ) -> httpx.Response:
        return await api.put(
            f"/v1/ratings/{month}/scores/{person}", json={"scores": scores}, headers=self.staff()
        )


@pytest.fixture
async def east(district: District, timed: VolunteersContext) -> Branch:
    return await Branch(district, timed.uow).build()


def by_code(rating: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["code"]: a for a in rating["aspects"]}


async def test_volunteers_a_month_is_rated_from_service_records_and_the_branchs_scores(
    api: httpx.AsyncClient, east: Branch, timed: VolunteersContext
) -> None:
    tenant = east.district.tenant_id
    volunteer = await add_volunteer(timed.uow, tenant, east.active, tasks_completed=3, no_shows=1)
    # November in Shanghai (UTC+8) runs from 2026-10-31T16:00Z to 2026-11-30T16:00Z.
    await log_minutes(timed.uow, tenant, volunteer, 240, at("2026-11-10"))
    await log_minutes(timed.uow, tenant, volunteer, 120, at("2026-10-31", 17))  # 1 Nov, 01:00
    await log_minutes(timed.uow, tenant, volunteer, 60, at("2026-10-31", 15))  # 31 Oct, 23:00
    await log_minutes(timed.uow, tenant, volunteer, -60, at("2026-11-12"))  # a correction
    await add_assignment(timed.uow, tenant, volunteer, at("2026-11-05"), "completed")
    await add_assignment(timed.uow, tenant, volunteer, at("2026-11-20"), "completed")
    await add_assignment(timed.uow, tenant, volunteer, at("2026-11-25"), "no_show")
    await add_assignment(timed.uow, tenant, volunteer, at("2026-11-26"), "cancelled")  # in time
    await add_assignment(timed.uow, tenant, volunteer, at("2026-10-20"), "completed")
    assert (await east.score(api, east.active, ENTERED_SCORES, "2026-11")).status_code == 200
    assert (await east.score(api, east.quiet, ALL_100, "2026-11")).status_code == 200

    published = await api.post(
        "/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=east.staff()
    )

    assert published.status_code == 201, published.text
    ratings = {r["person_id"]: r for r in published.json()["ratings"]}
    assert set(ratings) == {str(east.active), str(east.quiet)}  # party members only
    active = ratings[str(east.active)]
    aspects = by_code(active)
    assert list(aspects) == [
        "study",
        "mutual_help",
        "pioneering_example",
        "activities",
        "service_hours",
        "tasks_done",
        "reliability",
        "conduct",
    ]
    # 240 + 120 - 60 minutes of 600; 2 of 4 tasks; 2 kept of 3 = 66.7% of 90%.
    assert (aspects["service_hours"]["figure"], aspects["service_hours"]["score"]) == (300, 50)
    assert (aspects["tasks_done"]["figure"], aspects["tasks_done"]["score"]) == (2, 50)
    assert (aspects["reliability"]["figure"], aspects["reliability"]["score"]) == (66.7, 74.1)
    assert aspects["study"]["score"] == 80 and aspects["study"]["source"] == "entered"
    # (80 + 90 + 70 + 60 + 100 + 50 + 50 + 74.1) / 8 = 71.76
    assert (active["total"], active["stars"]) == (71.8, 4)
    # Not a volunteer: the computed aspects score 0; 500 / 8 = 62.5.
    quiet = ratings[str(east.quiet)]
    assert (quiet["total"], quiet["stars"]) == (62.5, 3)
    assert by_code(quiet)["reliability"]["figure"] is None
    assert active["party_branch"] == "east" and active["published_by"] == str(east.staff_person)

    events = {e.person_id: e for e in await rating_events(timed.uow, tenant)}
    assert set(events) == {str(east.active), str(east.quiet)}
    announced = events[str(east.active)]
    assert (announced.month, announced.stars, announced.total) == ("2026-11", 4, 71.8)
    assert dict(announced.aspects)["reliability"] == pytest.approx(74.1)
    assert len(announced.aspects) == 8


async def test_volunteers_publishing_waits_for_the_branchs_scores_unless_told_not_to(
    api: httpx.AsyncClient, east: Branch, timed: VolunteersContext
) -> None:
    await east.score(api, east.active, ENTERED_SCORES, "2026-11")
    await east.score(api, east.quiet, {"study": 50}, "2026-11")

    refused = await api.post(
        "/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=east.staff()
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "scores"
    assert "mutual_help" in refused.json()["detail"]
    assert await rating_events(timed.uow, east.district.tenant_id) == []

    entered = await api.get(f"/v1/ratings/2026-11/scores/{east.quiet}", headers=east.staff())
    assert entered.json()["scores"] == {"study": 50}
    assert entered.json()["missing"] == [
        "mutual_help",
        "pioneering_example",
        "activities",
        "conduct",
    ]
    anyway = await api.post(
        "/v1/ratings/2026-11/publish",
        json={"branch": "east", "allow_missing": True},
        headers=east.staff(),
    )
    assert anyway.status_code == 201, anyway.text
    quiet = next(r for r in anyway.json()["ratings"] if r["person_id"] == str(east.quiet))
    assert [a["code"] for a in quiet["aspects"] if a["missing"]] == entered.json()["missing"]
    assert (quiet["total"], quiet["stars"]) == (6.2, 1)  # 50 / 8 = 6.25, shown as 6.2


async def test_volunteers_ratings_keep_their_history_and_republishing_replaces_a_month(
    api: httpx.AsyncClient, east: Branch, timed: VolunteersContext
) -> None:
    for month in ("2026-10", "2026-11"):
        for person in (east.active, east.quiet):
            await east.score(api, person, ALL_100, month)
        done = await api.post(
            f"/v1/ratings/{month}/publish", json={"branch": "east"}, headers=east.staff()
        )
        assert done.status_code == 201, done.text
    await east.score(api, east.active, {"study": 0, "conduct": 0}, "2026-11")

    again = await api.post(
        "/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=east.staff()
    )

    assert again.status_code == 201
    mine = await api.get("/v1/ratings/me", headers=east.district.person(east.active))
    assert mine.status_code == 200, mine.text
    assert [(r["month"], r["total"]) for r in mine.json()] == [("2026-11", 37.5), ("2026-10", 62.5)]
    assert mine.json()[0]["stars"] == 1
    events = await rating_events(timed.uow, east.district.tenant_id)
    assert [(e.month, e.total) for e in events if e.person_id == str(east.active)] == [
        ("2026-10", 62.5),
        ("2026-11", 62.5),
        ("2026-11", 37.5),
    ]
    month = await api.get("/v1/ratings/2026-11", headers=east.staff())
    assert month.json()["branch"] == "east"
    assert [r["person_id"] for r in month.json()["ratings"]] == [str(east.quiet), str(east.active)]


async def test_volunteers_a_branch_sees_its_members_and_a_member_their_own(
    api: httpx.AsyncClient, east: Branch
) -> None:
    for person in (east.active, east.quiet):
        await east.score(api, person, ALL_100, "2026-11")
    await api.post("/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=east.staff())
    admin = east.district.admin()
    member = east.district.person(east.active)

    assert (
        await api.get(f"/v1/ratings/people/{east.active}", headers=east.staff())
    ).status_code == 200
    assert (await api.get(f"/v1/ratings/people/{east.active}", headers=admin)).status_code == 200
    assert (await api.get(f"/v1/ratings/people/{east.active}", headers=member)).status_code == 200
    west = east.west_staff()
    refusals = [
        await api.get(f"/v1/ratings/people/{east.active}", headers=west),
        await api.get("/v1/ratings/2026-11?branch=east", headers=west),
        await api.get(f"/v1/ratings/2026-11/scores/{east.active}", headers=west),
        await api.put(
            f"/v1/ratings/2026-11/scores/{east.active}", json={"scores": ALL_100}, headers=west
        ),
        await api.post("/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=west),
        await api.get(f"/v1/ratings/people/{east.quiet}", headers=member),
        await api.get("/v1/ratings/2026-11?branch=east", headers=member),
        await api.post("/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=member),
        # Staff who belong to no branch act for none.
        await api.get("/v1/ratings/2026-11?branch=east", headers=east.district.staff()),
    ]
    assert [r.status_code for r in refusals] == [403] * len(refusals)
    assert all(r.headers["content-type"] == "application/problem+json" for r in refusals)
    west_month = await api.get("/v1/ratings/2026-11", headers=west)
    assert west_month.json() == {"branch": "west", "month": "2026-11", "ratings": []}
    by_admin = await api.get("/v1/ratings/2026-11?branch=east", headers=admin)
    assert len(by_admin.json()["ratings"]) == 2
    no_branch = await api.get("/v1/ratings/2026-11", headers=admin)
    assert no_branch.status_code == 422 and no_branch.json()["errors"][0]["field"] == "branch"


async def test_volunteers_a_tenant_admin_configures_the_aspects(
    api: httpx.AsyncClient, east: Branch, timed: VolunteersContext
) -> None:
    tenant = east.district.tenant_id
    defaults = await api.get("/v1/rating-aspects", headers=east.district.person(east.active))
    assert defaults.json()["configured"] is False and len(defaults.json()["aspects"]) == 8
    aspects = [
        {"code": "study", "name": "学习", "source": "entered", "weight": 1},
        {"code": "hours", "name": "服务时长", "source": "hours", "weight": 3, "full_at": 240},
    ]
    assert (
        await api.put("/v1/rating-aspects", json={"aspects": aspects}, headers=east.staff())
    ).status_code == 403
    put = await api.put(
        "/v1/rating-aspects", json={"aspects": aspects}, headers=east.district.admin()
    )
    assert put.status_code == 200, put.text
    assert put.json()["configured"] is True
    volunteer = await add_volunteer(timed.uow, tenant, east.active)
    await log_minutes(timed.uow, tenant, volunteer, 120, at("2026-11-03"))
    await east.score(api, east.active, {"study": 90}, "2026-11")
    await east.score(api, east.quiet, {"study": 40}, "2026-11")
    refused = await east.score(api, east.active, {"mutual_help": 90}, "2026-11")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "scores.mutual_help"

    done = await api.post(
        "/v1/ratings/2026-11/publish", json={"branch": "east"}, headers=east.district.admin()
    )

    ratings = {r["person_id"]: r for r in done.json()["ratings"]}
    # (90 * 1 + 50 * 3) / 4 = 60; (40 * 1 + 0 * 3) / 4 = 10
    assert (ratings[str(east.active)]["total"], ratings[str(east.active)]["stars"]) == (60, 3)
    assert (ratings[str(east.quiet)]["total"], ratings[str(east.quiet)]["stars"]) == (10, 1)
    read = await api.get("/v1/rating-aspects", headers=east.staff())
    assert [a["code"] for a in read.json()["aspects"]] == ["study", "hours"]


@pytest.mark.parametrize(
    ("aspects", "field"),
    [
        ([], "body.aspects"),
        ([{"code": "Study", "name": "x", "source": "entered"}], "body.aspects.0.code"),
        ([{"code": "study", "name": "x", "source": "vibes"}], "body.aspects.0.source"),
        ([{"code": "study", "name": "x\u0000", "source": "entered"}], "body.aspects.0.name"),
        (
            [{"code": "study", "name": "x", "source": "entered", "weight": 0}],
            "body.aspects.0.weight",
        ),
        ([{"code": "hours", "name": "x", "source": "hours"}], "aspects.0.full_at"),
        (
            [{"code": "study", "name": "x", "source": "entered", "full_at": 5}],
            "aspects.0.full_at",
        ),
        (
            [{"code": "kept", "name": "x", "source": "reliability", "full_at": 120}],
            "aspects.0.full_at",
        ),
        (
            [
                {"code": "study", "name": "x", "source": "entered"},
                {"code": "study", "name": "y", "source": "entered"},
            ],
            "aspects.1.code",
        ),
    ],
)
async def test_volunteers_bad_aspects_are_refused_naming_the_field(
    api: httpx.AsyncClient, district: District, aspects: list[dict[str, Any]], field: str
) -> None:
    answer = await api.put(
        "/v1/rating-aspects", json={"aspects": aspects}, headers=district.admin()
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == field
    still = await api.get("/v1/rating-aspects", headers=district.admin())
    assert still.json()["configured"] is False


SCORES = "/v1/ratings/2026-11/scores/{active}"
ALL = {"scores": ALL_100}


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "field"),
    [
        ("PUT", "/v1/ratings/2026-12/scores/{active}", ALL, 422, "month"),  # not begun yet
        ("PUT", "/v1/ratings/2026-13/scores/{active}", ALL, 422, "month"),
        ("PUT", "/v1/ratings/Nov-26/scores/{active}", ALL, 422, "path.month"),
        ("PUT", SCORES, {"scores": {"study": 101}}, 422, "body.scores.study"),
        ("PUT", SCORES, {"scores": {"study": "A"}}, 422, "body.scores.study"),
        ("PUT", SCORES, {"scores": {}}, 422, "body.scores"),
        ("PUT", SCORES, {"scores": {"service_hours": 90}}, 422, "scores.service_hours"),
        ("PUT", SCORES, {"scores": {"kindness": 90}}, 422, "scores.kindness"),
        ("PUT", "/v1/ratings/2026-11/scores/{resident}", ALL, 404, "person_id"),
        ("PUT", "/v1/ratings/2026-11/scores/x", ALL, 422, "path.person_id"),
        ("POST", "/v1/ratings/2026-12/publish", {"branch": "east"}, 422, "month"),
        ("POST", "/v1/ratings/2026-11/publish", {"branch": ""}, 422, "body.branch"),
        ("POST", "/v1/ratings/2026-11/publish", {"branch": "east", "x": 1}, 422, "body.x"),
        ("POST", "/v1/ratings/2026-11/publish", {"branch": "e\u0000"}, 422, "body.branch"),
        ("GET", "/v1/ratings/2026-11?branch=e%00", None, 422, "query.branch"),
        ("GET", "/v1/ratings/2026-00?branch=east", None, 422, "month"),
        ("GET", "/v1/ratings/people/x", None, 422, "path.person_id"),
    ],
)
async def test_volunteers_bad_rating_requests_are_4xx_naming_the_field(
    api: httpx.AsyncClient,
    east: Branch,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    status: int,
    field: str,
) -> None:
    target = url.format(active=east.active, resident=east.resident)
    answer = await api.request(method, target, json=body, headers=east.staff())
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == field, answer.text


async def test_volunteers_publishing_a_branch_without_party_members_is_a_404(
    api: httpx.AsyncClient, east: Branch
) -> None:
    answer = await api.post(
        "/v1/ratings/2026-11/publish", json={"branch": "nowhere"}, headers=east.district.admin()
    )
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["field"] == "branch"
