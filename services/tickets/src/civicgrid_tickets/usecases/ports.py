"""Ports the use cases need from the outside world (adapters live in civicgrid_tickets.adapters)."""

from __future__ import annotations

from typing import Protocol


class BlobStore(Protocol):
    """Where photo bytes live (a filesystem here; a volume in Kubernetes). Keys are ours."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...
