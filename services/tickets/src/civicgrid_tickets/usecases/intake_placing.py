"""Where each report of an intake batch lands and who holds it, from what the batch read for
all its reports at once; and the likely duplicates each report is answered with."""

from __future__ import annotations

import asyncio
import uuid

from civicgrid_tickets.db.intake_repo import IntakeRepository
from civicgrid_tickets.db.map_repo import MapDepartment
from civicgrid_tickets.domain.duplicates import Candidate, suggest
from civicgrid_tickets.domain.geo import cells_around
from civicgrid_tickets.domain.levels import (
    DEPARTMENT_ROLE,
    OWNER_ROLES,
    starting_level,
    unit_at_level,
)
from civicgrid_tickets.usecases.intake_compose import Accepted, Intake, NewTicket, Route
from civicgrid_tickets.usecases.ports import GridRegistry
from civicgrid_tickets.usecases.routing import (
    UNPLACED,
    Placement,
    choose_department,
    grid_search_box,
    place,
)


def duplicate_cells(report: Accepted, radius_m: float) -> tuple[str, list[int]] | None:
    lat, lon = report.submission.lat, report.submission.lon
    if lat is None or lon is None:
        return None
    return report.category.code, cells_around(lat, lon, radius_m)


def route(report: Accepted, placement: Placement, departments: list[MapDepartment]) -> Route:
    """Where the ticket starts: its placement, the level it starts at, and its department."""
    department_id = None
    if report.category.handled_by == "department":
        units = [placement.grid_id, *placement.ancestor_ids] if placement.grid_id else []
        mine = [d for d in departments if report.category.code in d.categories]
        found = choose_department(mine, units)
        department_id = found.id if found else None
    level = starting_level(placement.chain)
    return Route(placement, level, unit_at_level(level, placement.chain), department_id)


async def place_all(
    registry: GridRegistry | None,
    repo: IntakeRepository,
    reports: list[Accepted],
    boundary_m: float,
) -> list[Placement]:
    """Each report's place from tickets' copy of the map; while the district's copy is still
    empty (cold: its grid events not yet consumed), from the grid registry itself, asked on the
    reporter's behalf. A registry that is down or does not know leaves the report unplaced (it
    waits at city level): intake never fails for want of the registry."""
    points = [
        (s.lat, s.lon) if s.lat is not None and s.lon is not None else None
        for s in (r.submission for r in reports)
    ]
    near = await repo.grids_near(
        [grid_search_box(p[0], p[1], boundary_m) if p else None for p in points]
    )
    placed = [
        place(shapes, p[0], p[1], boundary_m) if p else UNPLACED
        for shapes, p in zip(near, points, strict=True)
    ]
    asking = [
        (n, r.token, p)
        for n, (r, p, where) in enumerate(zip(reports, points, placed, strict=True))
        if where is UNPLACED and p is not None and r.token
    ]
    if registry is None or not asking or await repo.has_grids():
        return placed
    answers = await asyncio.gather(
        *(registry.resolve_point(token, p[0], p[1], boundary_m) for _, token, p in asking)
    )
    for (n, _, _), answer in zip(asking, answers, strict=True):
        if answer is not None:
            placed[n] = answer
    return placed


async def owners_of(repo: IntakeRepository, routes: list[Route]) -> list[list[uuid.UUID]]:
    """Who holds each new ticket, in the routes' order: the district's department agents, or
    the staff of its level's unit (the city's are bound tenant-wide)."""
    roles = {DEPARTMENT_ROLE, *(role for r in routes for role in OWNER_ROLES[r.level])}
    units = [r.owner_unit_id for r in routes if r.owner_unit_id is not None]
    held = await repo.holders(sorted(roles), units)
    return [
        held.get((None, DEPARTMENT_ROLE), [])
        if r.department_id is not None
        else [p for role in OWNER_ROLES[r.level] for p in held.get((r.owner_unit_id, role), [])]
        for r in routes
    ]


def with_duplicates(
    made: list[NewTicket], candidates: list[list[Candidate]], radius_m: float
) -> list[Intake]:
    """Each ticket's likely duplicates among recent reports, and among the reports of its own
    batch that came before it (they were not yet stored when the batch read its neighbours)."""
    answers = []
    for n, (m, found) in enumerate(zip(made, candidates, strict=True)):
        t = m.record
        if t.lat is None or t.lon is None:
            answers.append(Intake(t, []))
            continue
        earlier = [
            Candidate(str(o.id), o.number, o.lat, o.lon, o.description)
            for o in (e.record for e in made[:n])
            if o.category == t.category and o.lat is not None and o.lon is not None
        ]
        answers.append(Intake(t, suggest(t.lat, t.lon, t.description, found + earlier, radius_m)))
    return answers
