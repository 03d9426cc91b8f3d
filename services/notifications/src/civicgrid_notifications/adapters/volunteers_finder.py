"""The VolunteerFinder port over the volunteers service's gRPC API (FindNearestAvailable), asked
on one district's behalf with this service's own token."""

from __future__ import annotations

from uuid import UUID

from civicgrid.common.v1 import common_pb2
from civicgrid.volunteers.v1 import volunteers_service_pb2 as pb
from civicgrid.volunteers.v1 import volunteers_service_pb2_grpc as pb_grpc
from civicgrid_notifications.adapters.tenant_calls import call_as
from civicgrid_notifications.usecases.ports import NearbyVolunteer
from civicgrid_platform.auth import TenantTokens
from civicgrid_platform.grpc.client import create_channel

# The scope the volunteers service asks of another service looking for volunteers.
DISTRICT_SCOPES = ("volunteers:tasks",)
MAX_LIMIT = 50  # the most FindNearestAvailable gives at once


class VolunteersFinder:
    def __init__(self, target: str, tokens: TenantTokens, *, deadline_seconds: float = 3.0) -> None:
        self._channel = create_channel(target, deadline_seconds=deadline_seconds)
        self._stub = pb_grpc.VolunteersServiceStub(self._channel)
        self._tokens = tokens

    async def nearest_available(
        self, tenant_id: UUID, lat: float, lon: float, limit: int
    ) -> list[NearbyVolunteer]:
        """Free now (for the next hour), within the district's default radius, nearest first."""
        if limit < 1:
            return []
        request = pb.FindNearestAvailableRequest(
            tenant_id=str(tenant_id),
            point=common_pb2.GeoPoint(lat=lat, lon=lon),
            n=min(limit, MAX_LIMIT),
        )
        answer: pb.FindNearestAvailableResponse = await call_as(
            self._tokens, tenant_id, self._stub.FindNearestAvailable, request, "volunteers nearest"
        )
        return [
            NearbyVolunteer(
                person_id=UUID(c.person_id), display_name=c.display_name, distance_m=c.distance_m
            )
            for c in answer.candidates
        ]

    async def aclose(self) -> None:
        await self._channel.close()
