"""Who each step of an alert's chain asks, found the moment the step starts.

Duties come from the district's duty roster (the person's grid first, then the whole district)
and, where the roster names nobody, from identity's role holders over the person's grid.
Family contacts come from identity; the nearest available volunteers from the volunteers
service. A lookup that fails is written on the timeline and the step goes on with whoever was
found: an alert must never wait for a directory."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from civicgrid_notifications.db.alerts_repo import Alert, AlertsRepository
from civicgrid_notifications.db.care_repo import CareRepository
from civicgrid_notifications.domain.alerts import STEP_DUTIES, STEP_FAMILY, AlertPolicy
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.ports import Contactable, FamilyContact
from civicgrid_platform.db.uow import UnitOfWork

log = logging.getLogger(__name__)

# Identity's roles standing in for a duty when the roster names nobody.
DUTY_ROLES: dict[str, tuple[tuple[str, ...], bool]] = {
    "worker": (("community_staff",), True),
    "grid_staff": (("grid_leader", "info_officer"), False),
    "supervisor": (("street_officer",), True),
    "desk": (("district_officer",), True),
}


@dataclass(frozen=True, slots=True)
class Asked:
    responder: str  # person:<id> | contact:<id>
    person_id: UUID | None
    name: str
    phone: str
    role: str
    # Family contacts are reached by phone on these; people on their own alert channels.
    channels: tuple[Channel, ...] = ()


async def step_people(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    alert: Alert,
    step: int,
    policy: AlertPolicy,
    *,
    family: Sequence[FamilyContact] | None = None,
) -> list[Asked]:
    """Everyone the step asks; `family`: the person's family contacts when already known."""
    tenant_id = uow_tenant(uow)
    timeline = AlertsRepository(uow.session, tenant_id)
    found: dict[str, Asked] = {}
    people: dict[UUID, str] = {}  # person -> role
    known: dict[UUID, Contactable] = {}  # names and phones identity gave with the roles

    async def attempt(what: str, lookup: Callable[[], Awaitable[None]]) -> None:
        try:
            await lookup()
        except Exception as error:  # noqa: BLE001 - any failure: the step goes on without them
            log.warning("alert %s step %s: %s lookup failed: %s", alert.id, step, what, error)
            await timeline.note(
                alert.id, ctx.clock(), "lookup_failed", step, what=what, error=str(error)
            )

    duties = [duty for duty in STEP_DUTIES[step] if duty != "volunteer"]
    units = [u for u in (alert.grid_id, tenant_id) if u is not None]
    # The step's whole roster in one read (a failure here is the transaction's, not a lookup's).
    rostered = await CareRepository(uow.session, tenant_id).rosters(units, duties)
    for duty in STEP_DUTIES[step]:
        if duty == "volunteer":
            await attempt("volunteers", lambda: _volunteers(ctx, tenant_id, alert, policy, people))
        else:
            await attempt(
                duty,
                lambda duty=duty: _duty(ctx, tenant_id, alert, duty, rostered[duty], people, known),  # type: ignore[misc]
            )
    position = STEP_FAMILY.get(step)
    if position is not None and not alert.drill:
        await attempt("family", lambda: _family(ctx, tenant_id, alert, position, found, family))
    unknown = {person: role for person, role in people.items() if person not in known}
    if unknown:
        await attempt("people", lambda: _look_up(ctx, tenant_id, unknown, known))
    for person, role in people.items():
        # Reached in-app even when identity cannot name them.
        who = known.get(person)
        found[f"person:{person}"] = Asked(
            f"person:{person}",
            person,
            who.display_name if who else "",
            who.phone if who else "",
            role,
        )
    return list(found.values())


def uow_tenant(uow: UnitOfWork) -> UUID:
    tenant = uow.tenant_id
    if tenant is None:
        raise RuntimeError("an alert's step runs in its district's transaction")
    return tenant


async def _duty(
    ctx: NotificationsContext,
    tenant_id: UUID,
    alert: Alert,
    duty: str,
    rostered: list[UUID],
    people: dict[UUID, str],
    known: dict[UUID, Contactable],
) -> None:
    """The duty's people: the roster's, else identity's holders of the duty's roles."""
    if not rostered and duty in DUTY_ROLES and alert.grid_id is not None and ctx.directory:
        roles, above = DUTY_ROLES[duty]
        holders = await ctx.directory.role_holders(
            tenant_id, alert.grid_id, roles, include_ancestors=above
        )
        rostered = [h.person_id for h in holders]
        known.update((h.person_id, h) for h in holders)
    for person in rostered:
        if person != alert.person_id:
            people.setdefault(person, duty)


async def _volunteers(
    ctx: NotificationsContext,
    tenant_id: UUID,
    alert: Alert,
    policy: AlertPolicy,
    people: dict[UUID, str],
) -> None:
    if ctx.volunteers is None or alert.lat is None or alert.lon is None:
        return
    if policy.volunteers_asked == 0:
        return
    nearby = await ctx.volunteers.nearest_available(
        tenant_id, alert.lat, alert.lon, policy.volunteers_asked
    )
    for v in nearby:
        if v.person_id != alert.person_id:
            people.setdefault(v.person_id, "volunteer")


async def _family(
    ctx: NotificationsContext,
    tenant_id: UUID,
    alert: Alert,
    position: int,
    found: dict[str, Asked],
    known: Sequence[FamilyContact] | None,
) -> None:
    if known is None:
        if ctx.directory is None:
            return
        known = await ctx.directory.emergency_contacts(tenant_id, alert.person_id)
    for contact in known:
        if contact.position != position or not contact.phone:
            continue
        preferred = contact.preferred_channel
        channels: tuple[Channel, ...] = (
            (preferred,) if preferred in (Channel.SMS, Channel.VOICE) else ()
        )
        channels += tuple(c for c in (Channel.SMS, Channel.VOICE) if c not in channels)
        found[f"contact:{contact.id}"] = Asked(
            f"contact:{contact.id}", None, contact.name, contact.phone, "family", channels
        )


async def _look_up(
    ctx: NotificationsContext,
    tenant_id: UUID,
    people: dict[UUID, str],
    known: dict[UUID, Contactable],
) -> None:
    if ctx.directory is not None:
        known.update(await ctx.directory.people(tenant_id, list(people)))
