"""VolunteersService over gRPC, for other services: proto <-> use case mapping only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import timestamp_pb2
from grpc import aio

from civicgrid.volunteers.v1 import volunteers_service_pb2 as pb
from civicgrid.volunteers.v1 import volunteers_service_pb2_grpc as pb_grpc
from civicgrid_platform.errors import Forbidden, InvalidInput, parse_uuid
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import Registrar
from civicgrid_volunteers.domain.matching import Need, SkillNeed
from civicgrid_volunteers.domain.tasks import KINDS
from civicgrid_volunteers.events.messages import PB_URGENCY, candidate_message, task_message
from civicgrid_volunteers.usecases import nearest, tasks
from civicgrid_volunteers.usecases.context import VolunteersContext

MAX_N = 50
# An unset window means "now, for an hour": an alert asks who can go at once.
DEFAULT_WINDOW = timedelta(hours=1)


def _moment(stamp: timestamp_pb2.Timestamp, field: str) -> datetime:
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidInput("a valid timestamp", field=field) from None


def _skills(needs: Any, field: str = "skills") -> tuple[SkillNeed, ...]:
    skills = []
    for n, need in enumerate(needs):
        if not need.code or len(need.code) > 48:
            raise InvalidInput("a skill code", field=f"{field}[{n}].code")
        level = need.min_level or 1
        if not 1 <= level <= 5:
            raise InvalidInput("1..5 (0 means 1)", field=f"{field}[{n}].min_level")
        skills.append(SkillNeed(need.code, level))
    return tuple(skills)


def _point(point: Any, field: str) -> tuple[float, float]:
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise InvalidInput("latitude -90..90 and longitude -180..180", field=field)
    return point.lat, point.lon


class VolunteersServicer(pb_grpc.VolunteersServiceServicer):
    def __init__(self, ctx: VolunteersContext) -> None:
        self.ctx = ctx

    async def FindNearestAvailable(
        self, request: pb.FindNearestAvailableRequest, context: aio.ServicerContext
    ) -> pb.FindNearestAvailableResponse:
        actor = rpc_principal()
        if request.tenant_id and request.tenant_id != actor.tenant_id:
            raise Forbidden("volunteers of another district")
        if not request.HasField("point"):
            raise InvalidInput("where volunteers are needed", field="point")
        if not 1 <= request.n <= MAX_N:
            raise InvalidInput(f"1..{MAX_N}", field="n")
        if request.radius_m < 0 or request.radius_m > 50_000:
            raise InvalidInput("0 (the district's default) .. 50000", field="radius_m")
        starts = (
            _moment(request.starts_at, "starts_at")
            if request.HasField("starts_at")
            else self.ctx.clock()
        )
        ends = (
            _moment(request.ends_at, "ends_at")
            if request.HasField("ends_at")
            else starts + DEFAULT_WINDOW
        )
        if ends <= starts:
            raise InvalidInput("after starts_at", field="ends_at")
        need = Need(
            starts_at=starts,
            ends_at=ends,
            skills=_skills(request.skills),
            urgent=request.urgent,
            needs_safeguarding=request.needs_safeguarding,
        )
        matches = await nearest.find_nearest_available(
            self.ctx, actor, need, _point(request.point, "point"), request.n, request.radius_m
        )
        return pb.FindNearestAvailableResponse(candidates=[candidate_message(m) for m in matches])

    async def GetTask(
        self, request: pb.GetTaskRequest, context: aio.ServicerContext
    ) -> pb.GetTaskResponse:
        actor = rpc_principal()
        task = await tasks.get_task(self.ctx, actor, parse_uuid(request.task_id, "task_id"))
        return pb.GetTaskResponse(task=task_message(task))

    async def CreateTask(
        self, request: pb.CreateTaskRequest, context: aio.ServicerContext
    ) -> pb.CreateTaskResponse:
        actor = rpc_principal()
        if not request.kind or len(request.kind) > 48:
            raise InvalidInput(f"a task kind such as {', '.join(KINDS)}", field="kind")
        if not request.title or len(request.title) > 200:
            raise InvalidInput("1 to 200 characters", field="title")
        if request.urgency not in PB_URGENCY:
            raise InvalidInput("normal, high or urgent", field="urgency")
        if not request.HasField("location"):
            raise InvalidInput("where the task is", field="location")
        if not (request.HasField("starts_at") and request.HasField("ends_at")):
            raise InvalidInput("the task's window", field="starts_at")
        if not 1 <= (request.volunteers_needed or 1) <= 100:
            raise InvalidInput("1..100", field="volunteers_needed")
        lat, lon = _point(request.location, "location")
        fields = {
            "kind": request.kind,
            "title": request.title,
            "description": request.description[:4000],
            "lat": lat,
            "lon": lon,
            "grid_id": parse_uuid(request.grid_id, "grid_id") if request.grid_id else None,
            "community_id": (
                parse_uuid(request.community_id, "community_id") if request.community_id else None
            ),
            "starts_at": _moment(request.starts_at, "starts_at"),
            "ends_at": _moment(request.ends_at, "ends_at"),
            "skills": [{"code": s.code, "min_level": s.min_level} for s in _skills(request.skills)],
            "volunteers_needed": request.volunteers_needed or 1,
            "urgency": PB_URGENCY[request.urgency],
            "needs_safeguarding": request.needs_safeguarding,
            "source": request.source or "staff",
            "source_ref": request.source_ref[:200],
            "client_person_id": (
                parse_uuid(request.client_person_id, "client_person_id")
                if request.client_person_id
                else None
            ),
        }
        created = await tasks.create_task(
            self.ctx, actor, fields, idempotency_key=request.idempotency_key or None
        )
        return pb.CreateTaskResponse(task=task_message(created.task), replayed=created.replayed)


def register(ctx: VolunteersContext) -> Registrar:
    def add(server: aio.Server) -> None:
        pb_grpc.add_VolunteersServiceServicer_to_server(VolunteersServicer(ctx), server)

    return add


SERVICE_NAME = pb.DESCRIPTOR.services_by_name["VolunteersService"].full_name
