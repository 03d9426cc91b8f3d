"""VolunteersService over gRPC, for other services: proto <-> use case mapping only."""

from __future__ import annotations

from grpc import aio

from civicgrid.volunteers.v1 import volunteers_service_pb2 as pb
from civicgrid.volunteers.v1 import volunteers_service_pb2_grpc as pb_grpc
from civicgrid_platform.grpc.server import Registrar
from civicgrid_volunteers.usecases.context import VolunteersContext


class VolunteersServicer(pb_grpc.VolunteersServiceServicer):
    def __init__(self, ctx: VolunteersContext) -> None:
        self.ctx = ctx


def register(ctx: VolunteersContext) -> Registrar:
    def add(server: aio.Server) -> None:
        pb_grpc.add_VolunteersServiceServicer_to_server(VolunteersServicer(ctx), server)

    return add


SERVICE_NAME = pb.DESCRIPTOR.services_by_name["VolunteersService"].full_name
