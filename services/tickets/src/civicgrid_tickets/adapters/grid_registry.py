"""The grid registry over gRPC (ResolvePoint), on behalf of the person reporting: the registry
resolves in the caller's own district, so the caller's token is the credential."""

from __future__ import annotations

import logging
from uuid import UUID

from grpc import aio

from civicgrid.grid.v1 import grid_service_pb2 as pb
from civicgrid.grid.v1 import grid_service_pb2_grpc as pb_grpc
from civicgrid_platform.grpc.client import create_channel, status_of
from civicgrid_tickets.usecases.map_model import kind_name
from civicgrid_tickets.usecases.routing import Placement

log = logging.getLogger(__name__)


class GrpcGridRegistry:
    def __init__(self, target: str, deadline_seconds: float = 2.0) -> None:
        # Short: a report waits on this only while the district's map is cold, and a registry
        # that is down must not hold intake up for long.
        self._channel = create_channel(target, deadline_seconds=deadline_seconds)
        self._stub = pb_grpc.GridServiceStub(self._channel)

    async def resolve_point(
        self, token: str, lat: float, lon: float, boundary_m: float
    ) -> Placement | None:
        request = pb.ResolvePointRequest(lat=lat, lon=lon, boundary_distance_m=boundary_m)
        try:
            answer = await self._stub.ResolvePoint(
                request, metadata=(("authorization", f"Bearer {token}"),)
            )
        except aio.AioRpcError as error:
            log.warning("grid registry did not place a point: %s", status_of(error))
            return None
        grid_id = UUID(answer.grid.id)
        ancestors = [UUID(a.id) for a in answer.ancestors]  # nearest first
        chain = {"grid": grid_id}
        for unit in answer.ancestors:
            kind = kind_name(unit.kind)
            if kind is not None:
                chain.setdefault(kind, UUID(unit.id))
        warning = answer.boundary_warning if answer.HasField("boundary_warning") else None
        return Placement(
            grid_id,
            ancestors,
            chain,
            UUID(warning.neighbour.id) if warning else None,
            round(warning.distance_m, 1) if warning else None,
            "registry",
        )

    async def aclose(self) -> None:
        await self._channel.close()
