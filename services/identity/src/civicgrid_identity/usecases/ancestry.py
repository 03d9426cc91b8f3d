"""What identity learns of the grid hierarchy: each unit's ancestors, from the registry's events.

"An admin grants only at or below their own units" is then answered locally, without a call
to the grid registry on every grant.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from civicgrid_identity.db.people_repo import PeopleRepository
from civicgrid_platform.db.uow import UnitOfWork


async def remember_unit_ancestry(
    uow: UnitOfWork, tenant_id: UUID, unit_id: UUID, ancestor_ids: Sequence[UUID]
) -> None:
    """Runs inside the consumer's unit of work (inbox-guarded, committed by the runner)."""
    await PeopleRepository(uow.session, tenant_id).remember_ancestry(unit_id, ancestor_ids)
