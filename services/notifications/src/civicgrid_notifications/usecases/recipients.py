"""Who a notice reaches: the people it names, and the holders of roles at a unit (identity)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from civicgrid_notifications.domain.notices import Recipient, RoleHolders
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform.events.retry import RetryableError


async def people_of(
    ctx: NotificationsContext, tenant_id: UUID, recipients: Iterable[Recipient]
) -> set[UUID]:
    """Every person the recipients stand for (departments are reached by address instead)."""
    found: set[UUID] = set()
    for recipient in recipients:
        if isinstance(recipient, UUID):
            found.add(recipient)
        elif isinstance(recipient, RoleHolders):
            if ctx.directory is None:
                # Without identity nobody holding a role can be found: try the event again later
                # rather than silently telling no one.
                raise RetryableError("no identity directory to find role holders")
            holders = await ctx.directory.role_holders(
                tenant_id,
                recipient.unit_id,
                recipient.roles,
                include_ancestors=recipient.include_ancestors,
            )
            found.update(h.person_id for h in holders)
    return found
