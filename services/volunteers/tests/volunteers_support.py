"""Helpers shared by volunteers' tests: tokens the app trusts, and a district to work in."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from civicgrid_testkit.tokens import TestIssuer
from civicgrid_volunteers.usecases.timer_kinds import HANDLERS
from civicgrid_volunteers.usecases.timers import run_due

TOKENS = TestIssuer()
# A Monday morning in the district's zone (Asia/Shanghai, UTC+8): 09:00 local.
MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
# Jinan; 0.01° of latitude is about 1.1 km.
ORIGIN_LAT, ORIGIN_LON = 36.65, 117.0


@dataclass
class District:
    """A fresh tenant per test, with its staff's and admin's headers."""

    tenant: str = field(default_factory=lambda: str(uuid.uuid4()))
    grid: uuid.UUID = field(default_factory=uuid.uuid4)
    community: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def tenant_id(self) -> uuid.UUID:
        return uuid.UUID(self.tenant)

    def staff(self) -> dict[str, str]:
        return TOKENS.bearer(self.tenant, "community_staff")

    def admin(self) -> dict[str, str]:
        return TOKENS.bearer(self.tenant, "tenant_admin")

    def person(self, person_id: uuid.UUID | None = None, *roles: str) -> dict[str, str]:
        """A resident or volunteer, acting as themselves."""
        return TOKENS.bearer(
            self.tenant, *(roles or ("resident",)), subject=str(person_id or uuid.uuid4())
        )


class SettableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# Every day, all day, in the district's zone: availability never stands in a test's way unless
# the test is about it.
ALWAYS = [{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)]


def near(metres_north: float = 0.0, metres_east: float = 0.0) -> tuple[float, float]:
    """(lat, lon) this far from the origin."""
    lat = ORIGIN_LAT + metres_north / 111_320.0
    lon = ORIGIN_LON + metres_east / (111_320.0 * math.cos(math.radians(ORIGIN_LAT)))
    return lat, lon


async def enrol(
    api: Any, district: District, *, north: float = 0.0, east: float = 0.0, **fields: Any
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A person registers themselves as a volunteer; (person id, the profile as answered).
    Staff fields (verified_skills, safeguarding_until) are set by staff afterwards."""
    person = uuid.uuid4()
    staff_fields = {
        k: fields.pop(k) for k in ("verified_skills", "safeguarding_until") if k in fields
    }
    lat, lon = near(north, east)
    body = {"home_lat": lat, "home_lon": lon, "weekly_availability": ALWAYS, **fields}
    answer = await api.post("/v1/volunteers", json=body, headers=district.person(person))
    assert answer.status_code == 201, answer.text
    profile = answer.json()
    if staff_fields:
        answer = await api.patch(
            f"/v1/volunteers/{profile['id']}", json=staff_fields, headers=district.staff()
        )
        assert answer.status_code == 200, answer.text
        profile = answer.json()
    return person, profile


def task_body(
    starts_at: datetime, hours: float = 2.0, *, north: float = 0.0, east: float = 0.0, **fields: Any
) -> dict[str, Any]:
    lat, lon = near(north, east)
    return {
        "kind": "elderly_visit",
        "title": "Weekly visit",
        "lat": lat,
        "lon": lon,
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
        **fields,
    }


async def outbox(
    uows: Any, tenant_id: uuid.UUID, kind: str | None = None
) -> list[tuple[str, bytes]]:
    """(event name, payload) of one district's events in the outbox, oldest first; `kind`
    keeps one name (e.g. "offer.made"). The outbox has no RLS: the relay reads every tenant."""
    async with uows(tenant_id=None) as uow:
        rows = await uow.session.execute(
            text("SELECT headers, payload FROM event_outbox WHERE tenant_id = :t ORDER BY id"),
            {"t": tenant_id},
        )
        found = [(h["ce_type"].removeprefix("civicgrid.volunteers.v1."), p) for h, p in rows]
    return [f for f in found if kind is None or f[0] == kind]


async def settle(ctx: Any) -> int:
    """Runs due timers until none is left (a handler may make more due at once, as the
    timers component's next beat would find them); how many ran."""
    total = 0
    while ran := await run_due(ctx, HANDLERS):
        total += ran
    return total
