"""Helpers shared by tickets' tests: tokens the app trusts, and a small district's map fed into
the read model the way the grid registry's events would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import shapely
from shapely.geometry import box

from civicgrid.grid.v1 import grid_service_pb2 as grid_pb
from civicgrid_platform.auth import build_claims, generate_signing_key
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_tickets.usecases import map_model

ISSUER, AUDIENCE = "https://identity.test", "civicgrid"
KEY = generate_signing_key()

# Four 0.01° x 0.01° grids (about 890 m x 1.1 km) in two communities of one street.
ORIGIN_LON, ORIGIN_LAT = 117.0, 36.65
STEP = 0.01


def bearer(
    tenant_id: str,
    *roles: str,
    subject: str | None = None,
    bindings: tuple[tuple[str, str], ...] = (),
) -> dict[str, str]:
    claims = build_claims(
        issuer=ISSUER,
        audience=AUDIENCE,
        subject=subject or str(uuid.uuid4()),
        tenant_id=tenant_id,
        kind="person",
        lifetime=timedelta(minutes=10),
        roles=roles,
        bindings=bindings,
    )
    return {"Authorization": f"Bearer {KEY.sign(claims)}"}


@dataclass
class District:
    tenant: str = field(default_factory=lambda: str(uuid.uuid4()))
    district: uuid.UUID = field(default_factory=uuid.uuid4)
    street: uuid.UUID = field(default_factory=uuid.uuid4)
    communities: list[uuid.UUID] = field(default_factory=lambda: [uuid.uuid4(), uuid.uuid4()])
    grids: list[uuid.UUID] = field(default_factory=lambda: [uuid.uuid4() for _ in range(4)])

    def grid_box(self, n: int) -> shapely.Polygon:
        x = ORIGIN_LON + STEP * n
        return box(x, ORIGIN_LAT, x + STEP, ORIGIN_LAT + STEP)

    def inside(self, n: int) -> tuple[float, float]:
        """(lat, lon) well inside grid n."""
        centre = self.grid_box(n).centroid
        return centre.y, centre.x

    def community_of(self, n: int) -> uuid.UUID:
        return self.communities[n // 2]

    async def feed(self, uows: UnitOfWorkFactory) -> None:
        """The map as the grid registry's unit.created events describe it."""
        tenant = uuid.UUID(self.tenant)
        units = [
            (self.district, grid_pb.UNIT_KIND_DISTRICT, "370102", None, []),
            (self.street, grid_pb.UNIT_KIND_STREET, "370102001", self.district, [self.district]),
        ]
        for c, community in enumerate(self.communities, start=1):
            chain = [self.street, self.district]
            units.append(
                (community, grid_pb.UNIT_KIND_COMMUNITY, f"370102001{c:03d}", self.street, chain)
            )
        for n, grid in enumerate(self.grids):
            community = self.community_of(n)
            chain = [community, self.street, self.district]
            units.append(
                (
                    grid,
                    grid_pb.UNIT_KIND_GRID,
                    f"370102001{n // 2 + 1:03d}{n + 1:03d}",
                    community,
                    chain,
                )
            )
        async with uows(tenant_id=tenant) as uow:
            for n, (unit_id, kind, code, parent, chain) in enumerate(units):
                geometry = ""
                if kind == grid_pb.UNIT_KIND_GRID:
                    geometry = shapely.to_geojson(self.grid_box(n - 4))
                message = grid_pb.Unit(
                    id=str(unit_id),
                    tenant_id=self.tenant,
                    kind=kind,
                    code=code,
                    name=code,
                    parent_id=str(parent or ""),
                    geometry_geojson=geometry,
                    version=1,
                )
                await map_model.remember_unit(uow, tenant, message, [str(a) for a in chain])
            await uow.commit()


class SettableClock:
    """The use cases' clock, moved by the test (deadlines, sweeps, month ends)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


# Monday 2026-11-30, 09:00 in Asia/Shanghai (the default calendar: 09-12 and 13-18 on weekdays).
MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
