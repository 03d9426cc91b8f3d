"""NotificationsService over gRPC: proto <-> use case mapping only."""

from __future__ import annotations

from grpc import aio

from civicgrid.notifications.v1 import notifications_service_pb2 as pb
from civicgrid.notifications.v1 import notifications_service_pb2_grpc as pb_grpc
from civicgrid_notifications.usecases import alerts
from civicgrid_notifications.usecases.alert_chain import alert_message
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import Registrar


class NotificationsServicer(pb_grpc.NotificationsServiceServicer):
    def __init__(self, ctx: NotificationsContext) -> None:
        self.ctx = ctx

    async def GetAlert(
        self, request: pb.GetAlertRequest, context: aio.ServicerContext
    ) -> pb.GetAlertResponse:
        actor = rpc_principal()
        found = await alerts.view(self.ctx, actor, parse_uuid(request.alert_id, "alert_id"))
        return pb.GetAlertResponse(alert=alert_message(actor.tenant_uuid, found.alert))


def register(ctx: NotificationsContext) -> Registrar:
    def add(server: aio.Server) -> None:
        pb_grpc.add_NotificationsServiceServicer_to_server(NotificationsServicer(ctx), server)

    return add


SERVICE_NAME = pb.DESCRIPTOR.services_by_name["NotificationsService"].full_name
