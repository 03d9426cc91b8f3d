"""A unit as one of its versions looks: what use cases pass around and contracts carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A unit as one version of it looks (the current one unless asked for another time)."""

    id: UUID
    tenant_id: UUID
    kind: str
    code: str
    parent_id: UUID | None
    ancestor_ids: list[UUID]
    version: int
    valid_from: datetime
    valid_to: datetime | None
    name: str
    address: str | None
    attributes: dict[str, Any]
    geometry: dict[str, Any] | None
    retired_at: datetime | None
