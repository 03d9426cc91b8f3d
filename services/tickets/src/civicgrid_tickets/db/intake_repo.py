"""What intake reads and writes for a whole batch of reports at once, within one tenant: one
statement per kind of question however many reports ask it (see civicgrid_platform.batching).

Straight through the driver: at hundreds of reports a second, building SQLAlchemy statements
costs more than the database's answer."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.db.driver import driver_connection
from civicgrid_tickets.db.map_repo import GridShape, MapDepartment
from civicgrid_tickets.domain.duplicates import Candidate
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla_state import Timer

# A box per report: (x1, y1, x2, y2) in degrees, lon/lat.
Box = tuple[float, float, float, float]

# The grids whose bounding box meets each report's box, each with its chain of units above
# ("kind:id", nearest first), in one read: the GiST index on bbox, then primary keys.
_GRIDS_NEAR = (
    "SELECT p.n, m.id, m.code, m.geometry_wkb, m.ancestor_ids,"
    " ARRAY(SELECT a.kind || ':' || a.id FROM unnest(m.ancestor_ids) WITH ORDINALITY AS u(id, k)"
    "  JOIN map_units a ON a.tenant_id = $1 AND a.id = u.id ORDER BY u.k) AS chain"
    " FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::float8[])"
    " WITH ORDINALITY AS p(x1, y1, x2, y2, n)"
    " JOIN map_units m ON m.tenant_id = $1 AND m.kind = 'grid' AND m.retired = 0"
    " AND m.bbox && box(point(p.x1, p.y1), point(p.x2, p.y2))"
)
_HAS_GRIDS = (
    "SELECT EXISTS (SELECT 1 FROM map_units WHERE tenant_id = $1 AND kind = 'grid' AND retired = 0)"
)
# The most recent open reports of each report's category in each cell around it (the duplicate
# check compares texts, so it looks at a bounded number of them).
_RECENT_NEARBY = (
    "SELECT p.n, t.id, t.number, t.lat, t.lon, t.description"
    " FROM unnest($2::int[], $3::text[], $4::bigint[]) AS p(n, category, cell)"
    " CROSS JOIN LATERAL (SELECT id, number, lat, lon, description FROM tickets t"
    "  WHERE t.tenant_id = $1 AND t.category = p.category AND t.location_cell = p.cell"
    "  AND t.created_at >= $5 AND t.status NOT IN ('closed', 'rejected', 'merged')"
    "  ORDER BY t.created_at DESC LIMIT $6) t"
)
_DEPARTMENTS = (
    "SELECT id, name, categories, jurisdiction_unit_ids FROM map_departments"
    " WHERE tenant_id = $1 AND deleted = 0 AND categories && $2::varchar[]"
)
_HOLDERS = (
    "SELECT unit_id, role, person_id FROM role_holders"
    " WHERE tenant_id = $1 AND role = ANY($2::text[])"
    " AND (unit_id = ANY($3::uuid[]) OR unit_id IS NULL)"
)
_NUMBERS = (
    "INSERT INTO ticket_numbers (tenant_id, year, last) VALUES ($1, $2, $3)"
    " ON CONFLICT (tenant_id, year) DO UPDATE SET last = ticket_numbers.last + $3"
    " RETURNING last"
)
_TICKET_FIELDS = tuple(f.name for f in fields(TicketRecord))
_JSON_FIELDS = frozenset({"attributes", "contact", "sla_clocks"})
_INSERT_TICKET = "INSERT INTO tickets ({columns}) VALUES ({values})".format(  # noqa: S608 - our own names
    columns=", ".join(_TICKET_FIELDS),
    values=", ".join(f"${n}" for n in range(1, len(_TICKET_FIELDS) + 1)),
)
_INSERT_HISTORY = (
    "INSERT INTO ticket_history (tenant_id, ticket_id, at, actor_id, action, from_status,"
    " to_status, note, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)
_INSERT_TIMER = (
    "INSERT INTO sla_timers (tenant_id, ticket_id, clock, kind, due_at) VALUES ($1, $2, $3, $4, $5)"
)


class IntakeRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def _connection(self) -> Any:
        return await driver_connection(self.session)

    async def take_numbers(self, year: int, count: int) -> list[str]:
        """`count` consecutive numbers of the year, in one statement."""
        connection = await self._connection()
        last = int(await connection.fetchval(_NUMBERS, self.tenant_id, year, count))
        return [f"{year}-{n:06d}" for n in range(last - count + 1, last + 1)]

    async def grids_near(self, boxes: Sequence[Box | None]) -> list[list[GridShape]]:
        """For each box (None: no point), the grids whose bounding box meets it."""
        near: list[list[GridShape]] = [[] for _ in boxes]
        asked = [(n, b) for n, b in enumerate(boxes) if b is not None]
        if not asked:
            return near
        connection = await self._connection()
        columns = list(zip(*(b for _, b in asked), strict=True))
        rows = await connection.fetch(_GRIDS_NEAR, self.tenant_id, *map(list, columns))
        for n, grid_id, code, wkb, ancestors, chain in rows:
            kinds = dict(reversed([link.split(":", 1) for link in chain]))  # nearest wins
            shape = GridShape(
                grid_id, code, wkb, list(ancestors), {k: UUID(v) for k, v in kinds.items()}
            )
            near[asked[n - 1][0]].append(shape)
        return near

    async def has_grids(self) -> bool:
        """Whether tickets' copy of the district's map holds any grid yet."""
        connection = await self._connection()
        return bool(await connection.fetchval(_HAS_GRIDS, self.tenant_id))

    async def recent_nearby(
        self,
        asks: Sequence[tuple[str, Sequence[int]] | None],
        since: datetime,
        per_cell: int,
    ) -> list[list[Candidate]]:
        """For each (category, cells), the newest open reports of that category in those
        cells (domain.geo)."""
        found: list[list[Candidate]] = [[] for _ in asks]
        flat = [(n, a[0], cell) for n, a in enumerate(asks) if a is not None for cell in a[1]]
        if not flat:
            return found
        connection = await self._connection()
        reports, categories, cells = (list(c) for c in zip(*flat, strict=True))
        rows = await connection.fetch(
            _RECENT_NEARBY, self.tenant_id, reports, categories, cells, since, per_cell
        )
        for r in rows:
            found[r[0]].append(Candidate(str(r[1]), r[2], r[3], r[4], r[5]))
        return found

    async def departments_for(self, categories: Sequence[str]) -> list[MapDepartment]:
        if not categories:
            return []
        connection = await self._connection()
        rows = await connection.fetch(_DEPARTMENTS, self.tenant_id, list(set(categories)))
        return [MapDepartment(r[0], r[1], list(r[2]), list(r[3])) for r in rows]

    async def holders(
        self, roles: Sequence[str], unit_ids: Sequence[UUID]
    ) -> dict[tuple[UUID | None, str], list[UUID]]:
        """(unit or None for tenant-wide, role) -> the people holding it there."""
        connection = await self._connection()
        rows = await connection.fetch(
            _HOLDERS, self.tenant_id, list(set(roles)), list(set(unit_ids))
        )
        held: dict[tuple[UUID | None, str], list[UUID]] = defaultdict(list)
        for unit_id, role, person_id in rows:
            held[(unit_id, role)].append(person_id)
        return held

    async def insert(
        self,
        records: Sequence[TicketRecord],
        history: Sequence[tuple[UUID, HistoryEntry]],
        timers: Sequence[tuple[UUID, Timer]],
    ) -> None:
        """New tickets with their first history lines and SLA timers, each kind in one
        pipelined statement (a batch is tens of rows: below where COPY's staging pays off)."""
        connection = await self._connection()
        await connection.executemany(_INSERT_TICKET, [_ticket_row(r) for r in records])
        await connection.executemany(
            _INSERT_HISTORY,
            [
                (
                    self.tenant_id,
                    ticket_id,
                    e.at,
                    e.actor_id,
                    e.action,
                    e.from_status,
                    e.to_status,
                    e.note,
                    json.dumps(e.details),
                )
                for ticket_id, e in history
            ],
        )
        if timers:
            await connection.executemany(
                _INSERT_TIMER,
                [(self.tenant_id, ticket_id, t.clock, t.kind, t.due_at) for ticket_id, t in timers],
            )


def _ticket_row(record: TicketRecord) -> tuple[Any, ...]:
    return tuple(
        json.dumps(v) if name in _JSON_FIELDS and v is not None else v
        for name, v in ((name, getattr(record, name)) for name in _TICKET_FIELDS)
    )
