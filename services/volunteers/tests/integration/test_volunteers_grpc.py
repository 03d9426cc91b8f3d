"""VolunteersService over a real gRPC server: the alert chain finds the nearest available
volunteers; services create tasks (retries answer the first) and read them back."""

from __future__ import annotations

from datetime import timedelta

import grpc
import httpx
import pytest
from grpc import aio

from civicgrid.common.v1 import common_pb2
from civicgrid.volunteers.v1 import volunteers_service_pb2 as pb
from civicgrid.volunteers.v1 import volunteers_service_pb2_grpc as pb_grpc
from civicgrid_volunteers.events.messages import timestamp
from civicgrid_volunteers.usecases.context import TASKS_SCOPE
from services.volunteers.tests.volunteers_support import MONDAY_9, TOKENS, District, enrol, near

pytestmark = pytest.mark.integration


def _alert_chain(district: District) -> tuple[tuple[str, str]]:
    return TOKENS.metadata(district.tenant, kind="client", scopes=[TASKS_SCOPE])


async def test_volunteers_find_nearest_available_answers_nearest_on_duty_first(
    api: httpx.AsyncClient, district: District, stub: pb_grpc.VolunteersServiceStub
) -> None:
    _, near_off_duty = await enrol(api, district, north=50, skills={"first_aid": 3})
    _, near_on_duty = await enrol(api, district, north=300, skills={"first_aid": 3}, on_duty=True)
    _, far_on_duty = await enrol(api, district, north=1500, skills={"first_aid": 3}, on_duty=True)
    await enrol(api, district, north=10, on_duty=True)  # no first aid
    lat, lon = near()
    answer = await stub.FindNearestAvailable(
        pb.FindNearestAvailableRequest(
            tenant_id=district.tenant,
            point=common_pb2.GeoPoint(lat=lat, lon=lon),
            skills=[pb.SkillNeed(code="first_aid", min_level=2)],
            n=5,
            urgent=True,
        ),
        metadata=_alert_chain(district),
    )
    ids = [c.volunteer_id for c in answer.candidates]
    assert ids == [near_on_duty["id"], far_on_duty["id"]]
    first = answer.candidates[0]
    assert first.distance_m == pytest.approx(300, abs=2)
    assert first.score == pytest.approx(sum(p.points for p in first.breakdown), abs=1e-3)
    del near_off_duty


async def test_volunteers_find_nearest_refuses_bad_requests_and_other_districts(
    district: District, stub: pb_grpc.VolunteersServiceStub
) -> None:
    point = common_pb2.GeoPoint(lat=36.6, lon=117.0)
    cases = [
        (pb.FindNearestAvailableRequest(point=point, n=0), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.FindNearestAvailableRequest(n=3), grpc.StatusCode.INVALID_ARGUMENT),
        (
            pb.FindNearestAvailableRequest(point=common_pb2.GeoPoint(lat=99, lon=0), n=3),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            pb.FindNearestAvailableRequest(tenant_id=District().tenant, point=point, n=3),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
    ]
    for request, code in cases:
        with pytest.raises(aio.AioRpcError) as raised:
            await stub.FindNearestAvailable(request, metadata=_alert_chain(district))
        assert raised.value.code() == code
    resident = TOKENS.metadata(district.tenant, "resident")
    with pytest.raises(aio.AioRpcError) as raised:
        await stub.FindNearestAvailable(
            pb.FindNearestAvailableRequest(point=point, n=3), metadata=resident
        )
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_volunteers_create_task_over_grpc_is_idempotent_and_readable(
    district: District, stub: pb_grpc.VolunteersServiceStub
) -> None:
    lat, lon = near(100, 0)
    request = pb.CreateTaskRequest(
        kind="emergency_check_on",
        title="Check on Mrs Wang",
        location=common_pb2.GeoPoint(lat=lat, lon=lon),
        starts_at=timestamp(MONDAY_9 + timedelta(minutes=5)),
        ends_at=timestamp(MONDAY_9 + timedelta(minutes=65)),
        urgency=pb.URGENCY_URGENT,
        volunteers_needed=2,
        source="alert",
        source_ref="alert-42/step-3",
        idempotency_key="alert-42-step-3",
    )
    first = await stub.CreateTask(request, metadata=_alert_chain(district))
    again = await stub.CreateTask(request, metadata=_alert_chain(district))
    assert not first.replayed and again.replayed
    assert again.task.task_id == first.task.task_id
    read = await stub.GetTask(
        pb.GetTaskRequest(task_id=first.task.task_id), metadata=_alert_chain(district)
    )
    assert read.task.status == "open" and read.task.urgency == pb.URGENCY_URGENT
    assert read.task.volunteers_needed == 2 and read.task.source_ref == "alert-42/step-3"
    other = District()
    with pytest.raises(aio.AioRpcError) as raised:
        await stub.GetTask(
            pb.GetTaskRequest(task_id=first.task.task_id), metadata=_alert_chain(other)
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(aio.AioRpcError) as raised:
        await stub.CreateTask(
            pb.CreateTaskRequest(kind="escort", title="x", urgency=pb.URGENCY_NORMAL),
            metadata=_alert_chain(district),
        )
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
