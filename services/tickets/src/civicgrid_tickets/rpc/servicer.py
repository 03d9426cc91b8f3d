"""TicketsService over gRPC, for other services' channels: proto <-> use case mapping only."""

from __future__ import annotations

import base64
from datetime import datetime
from uuid import UUID

from google.protobuf import json_format
from grpc import aio

from civicgrid.tickets.v1 import tickets_service_pb2 as pb
from civicgrid.tickets.v1 import tickets_service_pb2_grpc as pb_grpc
from civicgrid_platform.errors import Forbidden, InvalidInput, parse_uuid
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import Registrar
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.events.messages import PB_TO_CHANNEL, ticket_message
from civicgrid_tickets.usecases import intake, reading
from civicgrid_tickets.usecases.context import TicketsContext

MAX_PAGE = 200


def _cursor(token: str) -> tuple[datetime, UUID] | None:
    if not token:
        return None
    try:
        at, ticket_id = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        return datetime.fromisoformat(at), UUID(ticket_id)
    except ValueError:
        raise InvalidInput("not a page token of this list", field="page.page_token") from None


def _token(at: datetime, ticket_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{ticket_id}".encode()).decode()


class TicketsServicer(pb_grpc.TicketsServiceServicer):
    def __init__(self, ctx: TicketsContext) -> None:
        self.ctx = ctx

    async def CreateTicket(
        self, request: pb.CreateTicketRequest, context: aio.ServicerContext
    ) -> pb.CreateTicketResponse:
        actor = rpc_principal()
        if not (actor.has_scope(reading.CREATE_SCOPE) or reading.is_staff(actor)):
            raise Forbidden("creating tickets needs staff or the tickets:create scope")
        if request.channel not in PB_TO_CHANNEL:
            raise InvalidInput("an intake channel", field="channel")
        location = request.location if request.HasField("location") else None
        contact = {
            k: v for k, v in (("name", request.contact_name), ("phone", request.contact_phone)) if v
        }
        submission = Submission(
            channel=PB_TO_CHANNEL[request.channel],
            category=request.category,
            description=request.description,
            lat=location.lat if location else None,
            lon=location.lon if location else None,
            address=request.address or None,
            priority=request.priority or None,
            attributes=json_format.MessageToDict(request.attributes),
            reporter_person_id=(
                parse_uuid(request.reporter_person_id, "reporter_person_id")
                if request.reporter_person_id
                else None
            ),
            contact=contact or None,
            idempotency_key=request.idempotency_key or None,
        )
        done = await intake.create_ticket(
            self.ctx, actor.tenant_uuid, actor.subject, submission, token=actor.token
        )
        return pb.CreateTicketResponse(ticket=ticket_message(done.ticket), replayed=done.replayed)

    async def GetTicket(
        self, request: pb.GetTicketRequest, context: aio.ServicerContext
    ) -> pb.GetTicketResponse:
        ticket_id = parse_uuid(request.ticket_id, "ticket_id")
        found, _ = await reading.get_ticket(self.ctx, rpc_principal(), ticket_id)
        return pb.GetTicketResponse(ticket=ticket_message(found))

    async def ListTickets(
        self, request: pb.ListTicketsRequest, context: aio.ServicerContext
    ) -> pb.ListTicketsResponse:
        size = request.page.page_size or 50
        if not 1 <= size <= MAX_PAGE:
            raise InvalidInput(f"1 to {MAX_PAGE}", field="page.page_size")
        rows = await reading.list_tickets(
            self.ctx,
            rpc_principal(),
            unit_id=parse_uuid(request.unit_id, "unit_id") if request.unit_id else None,
            statuses=list(request.statuses),
            category=None,
            overdue=False,
            after=_cursor(request.page.page_token),
            limit=size + 1,
        )
        answer = pb.ListTicketsResponse(tickets=[ticket_message(t) for t in rows[:size]])
        if len(rows) > size:
            last = rows[size - 1]
            answer.page.next_page_token = _token(last.created_at, last.id)
        return answer


def register(ctx: TicketsContext) -> Registrar:
    def add(server: aio.Server) -> None:
        pb_grpc.add_TicketsServiceServicer_to_server(TicketsServicer(ctx), server)

    return add


SERVICE_NAME = pb.DESCRIPTOR.services_by_name["TicketsService"].full_name
