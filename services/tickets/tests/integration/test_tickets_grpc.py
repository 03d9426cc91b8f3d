"""TicketsService over real gRPC: internal intake with idempotency, reads, paging, isolation."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from grpc import aio

from civicgrid.common.v1 import common_pb2
from civicgrid.tickets.v1 import tickets_service_pb2 as pb
from civicgrid.tickets.v1 import tickets_service_pb2_grpc as pb_grpc
from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration


def _md(headers: dict[str, str]) -> list[tuple[str, str]]:
    return [("authorization", headers["Authorization"])]


async def test_an_internal_channel_files_a_ticket_once_and_reads_it_back(
    stub: pb_grpc.TicketsServiceStub, district: District
) -> None:
    lat, lon = district.inside(2)
    alerts = _md(bearer(district.tenant, "tenant_admin"))
    person = str(uuid.uuid4())
    request = pb.CreateTicketRequest(
        idempotency_key=f"alert-{uuid.uuid4()}",
        channel=pb.CHANNEL_ELDERLY_ALERT,
        category="elderly_alert",
        description="独居老人一键呼叫未被确认",
        location=common_pb2.GeoPoint(lat=lat, lon=lon),
        reporter_person_id=person,
    )
    first = await stub.CreateTicket(request, metadata=alerts)
    again = await stub.CreateTicket(request, metadata=alerts)
    assert (first.replayed, again.replayed) == (False, True)
    assert first.ticket.id == again.ticket.id
    assert (first.ticket.priority, first.ticket.channel) == ("P0", pb.CHANNEL_ELDERLY_ALERT)
    assert first.ticket.grid_id == str(district.grids[2])

    got = await stub.GetTicket(pb.GetTicketRequest(ticket_id=first.ticket.id), metadata=alerts)
    assert got.ticket.number == first.ticket.number

    with pytest.raises(aio.AioRpcError) as foreign:
        await stub.GetTicket(
            pb.GetTicketRequest(ticket_id=first.ticket.id),
            metadata=_md(bearer(str(uuid.uuid4()), "tenant_admin")),
        )
    assert foreign.value.code() == grpc.StatusCode.NOT_FOUND


async def test_bad_calls_get_clear_statuses(
    stub: pb_grpc.TicketsServiceStub, district: District
) -> None:
    admin = _md(bearer(district.tenant, "tenant_admin"))
    with pytest.raises(aio.AioRpcError) as bad_id:
        await stub.GetTicket(pb.GetTicketRequest(ticket_id="nope"), metadata=admin)
    assert bad_id.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(aio.AioRpcError) as no_location:
        await stub.CreateTicket(
            pb.CreateTicketRequest(
                channel=pb.CHANNEL_PATROL,
                category="roads",
                description="x",
                reporter_person_id=str(uuid.uuid4()),
            ),
            metadata=admin,
        )
    assert no_location.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "location" in (no_location.value.details() or "")
    with pytest.raises(aio.AioRpcError) as resident:
        await stub.CreateTicket(
            pb.CreateTicketRequest(channel=pb.CHANNEL_PATROL, category="roads", description="x"),
            metadata=_md(bearer(district.tenant, "resident")),
        )
    assert resident.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(aio.AioRpcError) as anonymous:
        await stub.GetTicket(pb.GetTicketRequest(ticket_id=str(uuid.uuid4())))
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_tickets_under_a_unit_come_newest_first_page_by_page(
    stub: pb_grpc.TicketsServiceStub, district: District
) -> None:
    admin = _md(bearer(district.tenant, "tenant_admin"))
    made = []
    for n in range(5):
        lat, lon = district.inside(n % 2)  # grids 0 and 1: community 0
        created = await stub.CreateTicket(
            pb.CreateTicketRequest(
                channel=pb.CHANNEL_PATROL,
                category="sanitation",
                description=f"垃圾堆放 {n}",
                location=common_pb2.GeoPoint(lat=lat, lon=lon),
                reporter_person_id=str(uuid.uuid4()),
            ),
            metadata=admin,
        )
        made.append(created.ticket.id)
    lat, lon = district.inside(3)  # community 1: not listed below
    await stub.CreateTicket(
        pb.CreateTicketRequest(
            channel=pb.CHANNEL_PATROL,
            category="sanitation",
            description="别处",
            location=common_pb2.GeoPoint(lat=lat, lon=lon),
            reporter_person_id=str(uuid.uuid4()),
        ),
        metadata=admin,
    )
    seen: list[str] = []
    token = ""
    while True:
        page = await stub.ListTickets(
            pb.ListTicketsRequest(
                unit_id=str(district.communities[0]),
                page=common_pb2.PageRequest(page_size=2, page_token=token),
            ),
            metadata=admin,
        )
        seen += [t.id for t in page.tickets]
        token = page.page.next_page_token
        if not token:
            break
    assert seen == list(reversed(made))


async def test_two_racing_retries_of_one_submission_make_one_ticket(
    stub: pb_grpc.TicketsServiceStub, district: District
) -> None:
    lat, lon = district.inside(1)
    admin = _md(bearer(district.tenant, "tenant_admin"))
    request = pb.CreateTicketRequest(
        idempotency_key=f"race-{uuid.uuid4()}",
        channel=pb.CHANNEL_PATROL,
        category="roads",
        description="同一次提交的两次重试",
        location=common_pb2.GeoPoint(lat=lat, lon=lon),
        reporter_person_id=str(uuid.uuid4()),
    )
    answers = await asyncio.gather(*(stub.CreateTicket(request, metadata=admin) for _ in range(4)))
    assert len({a.ticket.id for a in answers}) == 1
    assert sorted(a.replayed for a in answers) == [False, True, True, True]
