"""Keeping volunteers' copy of people from identity's events (ratings go by party branch;
profiles show the name and party category identity holds)."""

from __future__ import annotations

from uuid import UUID

from civicgrid.identity.v1 import identity_service_pb2 as identity_pb
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import parse_uuid
from civicgrid_volunteers.db.people_repo import PeopleRepository, Person

_PARTY = {
    identity_pb.PARTY_CATEGORY_UNSPECIFIED: "",
    identity_pb.PARTY_CATEGORY_DIRECT: "direct",
    identity_pb.PARTY_CATEGORY_DUAL: "dual",
    identity_pb.PARTY_CATEGORY_TAKEOVER: "takeover",
    identity_pb.PARTY_CATEGORY_FLOATING: "floating",
    identity_pb.PARTY_CATEGORY_FOCUSED: "focused",
}


async def remember_person(
    uow: UnitOfWork,
    tenant_id: UUID,
    person_id: str,
    display_name: str,
    party_category: int,
    party_branch: str,
    living_alone: bool,
) -> None:
    person = Person(
        person_id=parse_uuid(person_id, "person_id"),
        display_name=display_name,
        party_category=_PARTY.get(party_category, ""),  # type: ignore[call-overload]
        party_branch=party_branch,
        living_alone=living_alone,
    )
    await PeopleRepository(uow.session, tenant_id).remember(person)
