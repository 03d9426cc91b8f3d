"""Ports the use cases need from the outside world (adapters live in civicgrid_tickets.adapters)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from civicgrid_tickets.usecases.routing import Placement


class BlobStore(Protocol):
    """Where photo bytes live (a filesystem here; a volume in Kubernetes). Keys are ours."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class GridRegistry(Protocol):
    """The grid registry itself, asked where a point lies while tickets' copy of a district's
    map is still empty. None: it does not know, or did not answer in time."""

    async def resolve_point(
        self, token: str, lat: float, lon: float, boundary_m: float
    ) -> Placement | None: ...

    async def aclose(self) -> None: ...
