"""Support for the volunteers benchmarks (make bench drives it; the dev stack never imports a
service).

    python -m civicgrid_volunteers.bench_matching prepare --owner-dsn DSN --runtime-dsn DSN
    python -m civicgrid_volunteers.bench_matching top10 --runtime-dsn DSN --tenant ID
    python -m civicgrid_volunteers.bench_matching slots --runtime-dsn DSN --tenant ID

prepare: migrates and writes one district of 100k volunteers over a 20 km square (skills,
weekly hours, caps, some on duty, a week of accepted tasks and a month of logged hours, so the
filters and scores have real work), then prints ONE JSON object: tenant_id, the square, and a
file of FindNearestAvailable requests for ghz.

top10: the best 10 candidates for each of 1,000 random tasks, in process against PostgreSQL
(best_matches, as an offer round runs it); prints p50/p99 milliseconds.

slots: a task with 100 places and 1,000 pending offers to 1,000 volunteers; prints the task,
and each offer with its volunteer's person id (the bench accepts them all at once over HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text

from civicgrid_platform.db.bulk import copy_rows
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_volunteers.__main__ import MIGRATIONS
from civicgrid_volunteers.db.tables import assignments, ledger_entries, offers, tasks, volunteers
from civicgrid_volunteers.domain.matching import Need, SkillNeed
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.matching import best_matches

VOLUNTEERS = 100_000
ORIGIN = (36.55, 116.9)  # south-west corner (lat, lon)
SPAN = 0.18  # degrees: about 20 km north-south, 16 km east-west
SKILLS = ("care", "first_aid", "driving", "repairs", "mediation", "cooking", "teaching", "it")
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in the district
DAYTIME = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare")
    prepare.add_argument("--owner-dsn", required=True)
    prepare.add_argument("--runtime-dsn", required=True)
    prepare.add_argument("--requests-file", type=Path, required=True)
    prepare.add_argument("--volunteers", type=int, default=VOLUNTEERS)
    for name in ("top10", "slots"):
        command = sub.add_parser(name)
        command.add_argument("--runtime-dsn", required=True)
        command.add_argument("--tenant", required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        upgrade(MIGRATIONS, args.owner_dsn)
        result, requests = asyncio.run(_prepare(args.runtime_dsn, args.owner_dsn, args.volunteers))
        args.requests_file.write_text(json.dumps(requests))
    elif args.command == "top10":
        result = asyncio.run(_top10(args.runtime_dsn, uuid.UUID(args.tenant)))
    else:
        result = asyncio.run(_slots(args.runtime_dsn, uuid.UUID(args.tenant)))
    sys.stdout.write(json.dumps(result) + "\n")


def _spot(rng: random.Random) -> tuple[float, float]:
    return ORIGIN[0] + SPAN * rng.random(), ORIGIN[1] + SPAN * rng.random()


def _skills(rng: random.Random) -> dict[str, dict[str, Any]]:
    return {
        code: {"level": rng.randint(1, 5), "verified": rng.random() < 0.3}
        for code in rng.sample(SKILLS, rng.randint(1, 3))
    }


async def _prepare(
    dsn: str, owner_dsn: str, count: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rng = random.Random(11)
    tenant = uuid.uuid4()
    engine = create_engine(dsn, pool_size=2)
    uows = UnitOfWorkFactory(engine)
    people: list[uuid.UUID] = []
    rows = []
    for n in range(count):
        lat, lon = _spot(rng)
        volunteer = uuid.uuid4()
        people.append(volunteer)
        rows.append(
            (
                volunteer, tenant, uuid.uuid4(), f"Volunteer {n}", json.dumps(_skills(rng)),
                lat, lon, "Asia/Shanghai", json.dumps(DAYTIME if n % 3 else WEEKDAYS),
                rng.randint(2, 6), rng.choice((300, 600, 900)), rng.random() < 0.2,
                rng.randint(0, 30), rng.randint(0, 5), rng.randint(0, 5), rng.randint(0, 25),
                rng.randint(0, 2),
            )
        )  # fmt: skip
    columns = (
        "id", "tenant_id", "person_id", "display_name", "skills", "home_lat", "home_lon",
        "timezone", "weekly_availability", "weekly_task_cap", "weekly_minutes_cap", "on_duty",
        "offers_accepted", "offers_declined", "offers_expired", "tasks_completed", "no_shows",
    )  # fmt: skip
    async with uows(tenant_id=tenant) as uow:
        await copy_rows(uow.session, volunteers, columns, rows)
        await _history(uow, tenant, people, rng)
        await uow.commit()
    await engine.dispose()
    owner = await asyncpg.connect(owner_dsn)
    try:
        await owner.execute("ANALYZE")  # the owner's: statistics for the planner, as in service
    finally:
        await owner.close()
    requests = []
    for _ in range(2000):
        lat, lon = _spot(rng)
        # Office hours of a day this week: people the rules may find (the alert chain's own
        # calls ask for "now", whatever the hour).
        starts = NOW + timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 8))
        requests.append(
            {
                "tenant_id": str(tenant),
                "point": {"lat": lat, "lon": lon},
                "starts_at": starts.isoformat().replace("+00:00", "Z"),
                "ends_at": (starts + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
                "skills": [{"code": rng.choice(SKILLS), "min_level": 2}],
                "n": 10,
            }
        )
    return {"tenant_id": str(tenant), "volunteers": count}, requests


async def _history(
    uow: Any, tenant: uuid.UUID, people: list[uuid.UUID], rng: random.Random
) -> None:
    """A week of accepted places (a fifth of the volunteers) and a month of logged hours."""
    task_rows, place_rows, entries = [], [], []
    for n in range(len(people) // 5):
        task = uuid.uuid4()
        lat, lon = _spot(rng)
        starts = NOW + timedelta(hours=rng.randint(-72, 120))
        task_rows.append(
            (task, tenant, "elderly_visit", "Visit", lat, lon, starts, starts + timedelta(hours=2),
             1, 1, "normal", "filled")
        )  # fmt: skip
        volunteer = people[rng.randrange(len(people))]
        place_rows.append(
            (uuid.uuid4(), tenant, task, volunteer, starts, starts + timedelta(hours=2),
             "accepted", NOW - timedelta(days=1))
        )  # fmt: skip
        if n % 2 == 0:
            posting, worked = uuid.uuid4(), NOW - timedelta(days=rng.randint(1, 29))
            minutes = rng.randint(30, 240)
            entries.append(
                (tenant, posting, f"volunteer:{volunteer}", minutes, volunteer, "check_out", worked)
            )
            entries.append((tenant, posting, "timebank", -minutes, volunteer, "check_out", worked))
    await copy_rows(
        uow.session,
        tasks,
        ("id", "tenant_id", "kind", "title", "lat", "lon", "starts_at", "ends_at",
         "volunteers_needed", "volunteers_accepted", "urgency", "status"),
        task_rows,
    )  # fmt: skip
    await copy_rows(
        uow.session,
        assignments,
        ("id", "tenant_id", "task_id", "volunteer_id", "starts_at", "ends_at", "status",
         "accepted_at"),
        place_rows,
    )  # fmt: skip
    await copy_rows(
        uow.session,
        ledger_entries,
        ("tenant_id", "posting_id", "account", "minutes", "volunteer_id", "reason", "worked_on"),
        entries,
    )


async def _top10(dsn: str, tenant: uuid.UUID, rounds: int = 1000) -> dict[str, Any]:
    rng = random.Random(5)
    engine = create_engine(dsn, pool_size=2)
    ctx = VolunteersContext(uow=UnitOfWorkFactory(engine), clock=lambda: NOW)
    timings, found = [], 0
    for n in range(rounds + 50):  # the first 50 warm the pool and the caches
        lat, lon = _spot(rng)
        # Office hours in the district (UTC+8), any day of the week.
        starts = NOW + timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 8))
        need = Need(
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            skills=(SkillNeed(rng.choice(SKILLS), 2),),
        )
        started = time.perf_counter()
        async with ctx.uow(tenant_id=tenant) as uow:
            matches = await best_matches(ctx, uow, tenant, need, (lat, lon), 10)
        if n >= 50:
            timings.append((time.perf_counter() - started) * 1000)
            found += len(matches)
    await engine.dispose()
    timings.sort()
    return {
        "rounds": rounds,
        "p50_ms": timings[len(timings) // 2],
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
        "mean_found": found / rounds,
    }


async def _slots(
    dsn: str, tenant: uuid.UUID, places: int = 100, asked: int = 1000
) -> dict[str, Any]:
    engine = create_engine(dsn, pool_size=2)
    uows = UnitOfWorkFactory(engine)
    task = uuid.uuid4()
    starts = datetime.now(UTC) + timedelta(days=2)
    async with uows(tenant_id=tenant) as uow:
        chosen = (
            await uow.session.execute(
                text("SELECT id, person_id FROM volunteers WHERE tenant_id = :t LIMIT :n"),
                {"t": tenant, "n": asked},
            )
        ).all()
        await copy_rows(
            uow.session,
            tasks,
            ("id", "tenant_id", "kind", "title", "lat", "lon", "starts_at", "ends_at",
             "volunteers_needed", "urgency"),
            [(task, tenant, "quality_supervision", "Renovation check", *ORIGIN, starts,
              starts + timedelta(hours=3), places, "urgent")],
        )  # fmt: skip
        made = [
            (uuid.uuid4(), tenant, task, volunteer, 1, 0.5, "[]", datetime.now(UTC),
             datetime.now(UTC) + timedelta(hours=1))
            for volunteer, _ in chosen
        ]  # fmt: skip
        await copy_rows(
            uow.session,
            offers,
            ("id", "tenant_id", "task_id", "volunteer_id", "round", "score", "breakdown",
             "made_at", "expires_at"),
            made,
        )  # fmt: skip
        await uow.commit()
    await engine.dispose()
    person: dict[uuid.UUID, uuid.UUID] = {volunteer: who for volunteer, who in chosen}
    return {
        "task_id": str(task),
        "places": places,
        "offers": [[str(o[0]), str(person[o[3]])] for o in made],
    }


if __name__ == "__main__":
    main()
