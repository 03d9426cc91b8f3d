"""GridService over gRPC: proto <-> use case mapping only."""

from __future__ import annotations

from datetime import UTC

from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc import aio
from grpc_status import rpc_status

from civicgrid.grid.v1 import grid_service_pb2 as pb
from civicgrid.grid.v1 import grid_service_pb2_grpc as pb_grpc
from civicgrid_grid.events.messages import PB_TO_KIND, unit_message
from civicgrid_grid.usecases import addresses, departments, resolve, units
from civicgrid_grid.usecases.context import GridContext
from civicgrid_platform.errors import InvalidInput, parse_uuid
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import Registrar

MAX_PAGE = units.MAX_PAGE


def _kinds(values: list[int]) -> list[str]:
    try:
        return [PB_TO_KIND[v] for v in values]
    except KeyError:
        raise InvalidInput("unknown unit kind", field="kinds") from None


class GridServicer(pb_grpc.GridServiceServicer):
    def __init__(
        self, ctx: GridContext, indexes: resolve.DistrictIndexes, boundary_m: float
    ) -> None:
        self.ctx = ctx
        self.indexes = indexes
        self.boundary_m = boundary_m

    async def ResolvePoint(
        self, request: pb.ResolvePointRequest, context: aio.ServicerContext
    ) -> pb.ResolvePointResponse:
        try:
            found = await resolve.resolve_point(
                self.ctx,
                self.indexes,
                rpc_principal(),
                request.lat,
                request.lon,
                request.boundary_distance_m or self.boundary_m,
            )
        except resolve.PointOutside as outside:
            await context.abort_with_status(rpc_status.to_status(_outside_status(outside)))
            raise AssertionError("abort_with_status returned") from None
        answer = pb.ResolvePointResponse(
            grid=unit_message(found.grid, with_geometry=False),
            ancestors=[unit_message(a, with_geometry=False) for a in found.ancestors],
        )
        if found.building is not None:
            answer.building.CopyFrom(unit_message(found.building, with_geometry=False))
        if found.neighbour is not None and found.neighbour_distance_m is not None:
            answer.boundary_warning.CopyFrom(
                pb.BoundaryWarning(
                    neighbour=unit_message(found.neighbour, with_geometry=False),
                    distance_m=found.neighbour_distance_m,
                )
            )
        return answer

    async def ResolveAddress(
        self, request: pb.ResolveAddressRequest, context: aio.ServicerContext
    ) -> pb.ResolveAddressResponse:
        found = await addresses.resolve_address(
            self.ctx, rpc_principal(), request.text, limit=min(request.limit or 10, 50)
        )
        return pb.ResolveAddressResponse(
            candidates=[
                pb.AddressCandidate(
                    unit=unit_message(c.unit, with_geometry=False),
                    score=c.score,
                    ancestors=[unit_message(a, with_geometry=False) for a in c.ancestors],
                )
                for c in found
            ]
        )

    async def GetUnit(
        self, request: pb.GetUnitRequest, context: aio.ServicerContext
    ) -> pb.GetUnitResponse:
        as_of = request.as_of.ToDatetime(tzinfo=UTC) if request.HasField("as_of") else None
        record = await units.get_unit(
            self.ctx, rpc_principal(), parse_uuid(request.unit_id, "unit_id"), as_of
        )
        return pb.GetUnitResponse(unit=unit_message(record))

    async def GetAncestors(
        self, request: pb.GetAncestorsRequest, context: aio.ServicerContext
    ) -> pb.GetAncestorsResponse:
        found = await units.ancestors(
            self.ctx, rpc_principal(), parse_uuid(request.unit_id, "unit_id")
        )
        return pb.GetAncestorsResponse(
            ancestors=[unit_message(u, with_geometry=False) for u in found]
        )

    async def ListChildren(
        self, request: pb.ListChildrenRequest, context: aio.ServicerContext
    ) -> pb.ListChildrenResponse:
        found = await units.children(
            self.ctx, rpc_principal(), parse_uuid(request.unit_id, "unit_id")
        )
        return pb.ListChildrenResponse(
            children=[unit_message(u, with_geometry=False) for u in found]
        )

    async def ListDescendants(
        self, request: pb.ListDescendantsRequest, context: aio.ServicerContext
    ) -> pb.ListDescendantsResponse:
        size = request.page_size or 100
        if not 1 <= size <= MAX_PAGE:
            raise InvalidInput(f"page size is 1 to {MAX_PAGE}", field="page_size")
        rows = await units.descendants(
            self.ctx,
            rpc_principal(),
            parse_uuid(request.unit_id, "unit_id"),
            kinds=_kinds(list(request.kinds)),
            after_code=request.page_token or None,
            limit=size + 1,
        )
        page = rows[:size]
        return pb.ListDescendantsResponse(
            units=[unit_message(u, with_geometry=False) for u in page],
            next_page_token=page[-1].code if len(rows) > size else "",
        )

    async def SearchUnits(
        self, request: pb.SearchUnitsRequest, context: aio.ServicerContext
    ) -> pb.SearchUnitsResponse:
        found = await units.search(
            self.ctx,
            rpc_principal(),
            request.query,
            kinds=_kinds(list(request.kinds)),
            limit=request.limit or 50,
        )
        return pb.SearchUnitsResponse(units=[unit_message(u, with_geometry=False) for u in found])

    async def RouteCategory(
        self, request: pb.RouteCategoryRequest, context: aio.ServicerContext
    ) -> pb.RouteCategoryResponse:
        found = await departments.route_category(
            self.ctx, rpc_principal(), request.category, parse_uuid(request.unit_id, "unit_id")
        )
        return pb.RouteCategoryResponse(
            departments=[departments.department_message(d) for d in found]
        )


def _outside_status(outside: resolve.PointOutside) -> status_pb2.Status:
    info = error_details_pb2.ErrorInfo(
        reason="POINT_OUTSIDE_GRIDS",
        domain="grid.civicgrid",
        metadata={
            "nearest_grid_id": str(outside.nearest.id),
            "nearest_grid_code": outside.nearest.code,
            "distance_m": f"{outside.distance_m:.1f}",
        },
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    return status_pb2.Status(code=code_pb2.NOT_FOUND, message=outside.detail, details=[detail])


def register(ctx: GridContext, indexes: resolve.DistrictIndexes, boundary_m: float) -> Registrar:
    def add(server: aio.Server) -> None:
        pb_grpc.add_GridServiceServicer_to_server(GridServicer(ctx, indexes, boundary_m), server)

    return add


SERVICE_NAME = pb.DESCRIPTOR.services_by_name["GridService"].full_name
