"""Identity's and grid's events: the read models (districts, names, departments) and the few
messages people get about their own account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from civicgrid.grid.v1 import events_pb2 as grid_pb
from civicgrid.identity.v1 import events_pb2 as identity_pb
from civicgrid_notifications.domain.notices import Notice
from civicgrid_notifications.events.incoming.notice_kit import notice
from civicgrid_notifications.usecases import tracking
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.events.cloudevents import IncomingEvent

Rule = Callable[[IncomingEvent, UnitOfWork], Awaitable[list[Notice]]]


async def on_tenant_created(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(identity_pb.TenantCreated)
    await tracking.remember_district(uow, event.tenant_id, m.name, m.timezone, m.locale)
    return []


async def on_person_registered(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(identity_pb.PersonRegistered)
    person = parse_uuid(m.person_id, "person_id")
    await tracking.remember_person(uow, event.tenant_id, person, m.display_name)
    return [notice(event, "person.registered", {}, (person,))]


async def on_person_updated(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(identity_pb.PersonUpdated)
    if "display_name" in m.changed_fields:
        person = parse_uuid(m.person_id, "person_id")
        await tracking.remember_person(uow, event.tenant_id, person, m.display_name)
    return []


async def on_role_granted(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(identity_pb.RoleGranted)
    person = parse_uuid(m.person_id, "person_id")
    return [notice(event, "role.granted", {"role": m.binding.role}, (person,))]


async def on_department_changed(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(grid_pb.DepartmentChanged)
    d = m.department
    contact = "" if m.deleted else d.contact
    await tracking.remember_department(
        uow, event.tenant_id, parse_uuid(d.id, "department.id"), d.name, contact
    )
    return []


RULES: dict[str, Rule] = {
    "tenant.created": on_tenant_created,
    "person.registered": on_person_registered,
    "person.updated": on_person_updated,
    "role.granted": on_role_granted,
    "department.changed": on_department_changed,
}
