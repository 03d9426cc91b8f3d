"""Volunteer profiles: a person registers (or staff register them), sees and corrects their own
data; staff verify skills, clear safeguarding, deactivate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from google.protobuf import timestamp_pb2

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Conflict, Forbidden, NotFound, parse_uuid
from civicgrid_volunteers.db.people_repo import PeopleRepository
from civicgrid_volunteers.db.volunteers_repo import VolunteersRepository, skills_json
from civicgrid_volunteers.domain.profiles import (
    Profile,
    check_not_cleared,
    check_own_changes,
    check_schedule,
    merged_skills,
)
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import (
    VolunteersContext,
    is_staff,
    person_of,
    require_staff,
)

# Fields a profile change may carry besides skills (checked by the API's schemas).
_PLAIN = (
    "display_name",
    "languages",
    "home_lat",
    "home_lon",
    "grid_id",
    "community_id",
    "timezone",
    "weekly_availability",
    "unavailable",
    "weekly_task_cap",
    "weekly_minutes_cap",
    "on_duty",
    "safeguarding_until",
    "active",
)


async def register(ctx: VolunteersContext, actor: Principal, fields: Mapping[str, Any]) -> Profile:
    """`fields` as the API checked them; person_id absent means the caller registers
    themselves. Staff fields (verified skills, safeguarding) need staff."""
    person_id = fields.get("person_id") or parse_uuid(actor.subject, "person_id")
    if person_id != person_of(actor):
        require_staff(actor, "register someone else as a volunteer")
    if not is_staff(actor):
        check_own_changes({k: v for k, v in fields.items() if v is not None})
    check_schedule(fields)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        name = fields.get("display_name")
        if not name:
            person = await PeopleRepository(uow.session, tenant_id).get(person_id)
            name = person.display_name if person and person.display_name else "Volunteer"
        skills = merged_skills({}, fields.get("skills") or {}, fields.get("verified_skills"))
        values = {k: fields[k] for k in _PLAIN if fields.get(k) is not None}
        values |= {"person_id": person_id, "display_name": name, "skills": skills_json(skills)}
        values.setdefault("timezone", ctx.default_timezone)
        profile = await VolunteersRepository(uow.session, tenant_id).insert(values)
        if profile is None:
            raise Conflict("this person is already a volunteer in the district")
        uow.add_event(volunteer_event(tenant_id, profile.id, _registered(profile)))
        await uow.commit()
    return profile


def _registered(profile: Profile) -> events_pb2.VolunteerRegistered:
    at = timestamp_pb2.Timestamp()
    at.FromDatetime(profile.created_at)
    return events_pb2.VolunteerRegistered(
        volunteer_id=str(profile.id),
        person_id=str(profile.person_id),
        grid_id=str(profile.grid_id or ""),
        skills=sorted(profile.skills),
        registered_at=at,
    )


async def get(ctx: VolunteersContext, actor: Principal, volunteer_id: UUID) -> Profile:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        profile = await VolunteersRepository(uow.session, actor.tenant_uuid).get(volunteer_id)
    return _visible(actor, profile)


async def mine(ctx: VolunteersContext, actor: Principal) -> Profile:
    person_id = person_of(actor)
    if person_id is None:
        raise NotFound("no volunteer profile for this caller")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        profile = await VolunteersRepository(uow.session, actor.tenant_uuid).by_person(person_id)
    if profile is None:
        raise NotFound("you are not registered as a volunteer")
    return profile


def _visible(actor: Principal, profile: Profile | None) -> Profile:
    """Staff see every profile of the district; a volunteer only their own (others: 404)."""
    if profile is None or not (is_staff(actor) or profile.person_id == person_of(actor)):
        raise NotFound("no such volunteer")
    return profile


async def change(
    ctx: VolunteersContext, actor: Principal, volunteer_id: UUID, changes: Mapping[str, Any]
) -> Profile:
    """A correction by the volunteer themselves, or staff's change (which may verify skills,
    clear safeguarding or deactivate)."""
    check_not_cleared(changes)
    check_schedule(changes)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = VolunteersRepository(uow.session, tenant_id)
        profile = _visible(actor, await repo.get(volunteer_id, lock=True))
        if not is_staff(actor):
            check_own_changes(changes)
        values = {k: changes[k] for k in _PLAIN if k in changes}
        if "skills" in changes or "verified_skills" in changes:
            skills = merged_skills(
                profile.skills, changes.get("skills"), changes.get("verified_skills")
            )
            values["skills"] = skills_json(skills)
        if "person_id" in changes and changes["person_id"] != profile.person_id:
            raise Forbidden("a profile stays with its person")
        if values:
            profile = await repo.change(volunteer_id, values)
            await uow.commit()
    return profile


async def page(
    ctx: VolunteersContext,
    actor: Principal,
    after: tuple[str, UUID] | None,
    limit: int,
    grid_id: UUID | None,
) -> Sequence[Profile]:
    require_staff(actor, "list volunteers")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await VolunteersRepository(uow.session, actor.tenant_uuid).page(
            after, limit, grid_id
        )
