"""IdentityService over gRPC: proto <-> use case mapping only."""

from __future__ import annotations

from grpc import aio

from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid.identity.v1 import identity_service_pb2_grpc as pb_grpc
from civicgrid_identity.db.people_repo import BindingRecord
from civicgrid_identity.domain.model import Channel, EmergencyContact
from civicgrid_identity.events.outgoing import party_category_pb
from civicgrid_identity.usecases import care, people, roles
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import Registrar

_CHANNEL = {c.value: getattr(pb, f"CHANNEL_{c.name}") for c in Channel}


def _contact(c: EmergencyContact) -> pb.EmergencyContact:
    return pb.EmergencyContact(
        position=c.position,
        name=c.name,
        relation=c.relation,
        phone=c.phone,
        preferred_channel=_CHANNEL[c.preferred_channel.value],
    )


def _binding(record: BindingRecord) -> pb.RoleBinding:
    return pb.RoleBinding(role=record.role, unit_id=str(record.unit_id or ""))


def person_message(view: people.PersonView) -> pb.Person:
    p = view.person
    message = pb.Person(
        id=str(p.id),
        tenant_id=str(p.tenant_id),
        display_name=p.display_name,
        phone=p.phone or "",
        email=p.email or "",
        party_category=party_category_pb(p.party_category),
        party_branch=p.party_branch or "",
        living_alone=p.living_alone,
        status=p.status,
        roles=[_binding(b) for b in view.bindings],
        locale=p.locale or "",
    )
    message.created_at.FromDatetime(p.created_at)
    return message


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, ctx: IdentityContext) -> None:
        self.ctx = ctx

    async def GetPerson(
        self, request: pb.GetPersonRequest, context: aio.ServicerContext
    ) -> pb.GetPersonResponse:
        view = await people.get_person(
            self.ctx, rpc_principal(), parse_uuid(request.person_id, "person_id")
        )
        return pb.GetPersonResponse(person=person_message(view))

    async def BatchGetPeople(
        self, request: pb.BatchGetPeopleRequest, context: aio.ServicerContext
    ) -> pb.BatchGetPeopleResponse:
        ids = [parse_uuid(v, f"person_ids.{i}") for i, v in enumerate(request.person_ids)]
        views, missing = await people.get_people(self.ctx, rpc_principal(), ids)
        return pb.BatchGetPeopleResponse(
            people=[person_message(v) for v in views], missing_ids=[str(m) for m in missing]
        )

    async def ListRoleHolders(
        self, request: pb.ListRoleHoldersRequest, context: aio.ServicerContext
    ) -> pb.ListRoleHoldersResponse:
        actor = rpc_principal()
        holders = await roles.role_holders(
            self.ctx,
            actor.tenant_uuid,
            parse_uuid(request.unit_id, "unit_id"),
            request.role,
            include_ancestors=request.include_ancestors,
            known_ancestors=[parse_uuid(u, "ancestor_unit_ids") for u in request.ancestor_unit_ids],
        )
        views, _ = await people.get_people(self.ctx, actor, list({p.id for p, _ in holders}))
        by_id = {v.person.id: v for v in views}
        return pb.ListRoleHoldersResponse(
            holders=[
                pb.RoleHolder(person=person_message(by_id[p.id]), binding=_binding(b))
                for p, b in holders
                if p.id in by_id
            ]
        )

    async def GetEmergencyContacts(
        self, request: pb.GetEmergencyContactsRequest, context: aio.ServicerContext
    ) -> pb.GetEmergencyContactsResponse:
        contacts = await care.get_contacts(
            self.ctx, rpc_principal(), parse_uuid(request.person_id, "person_id")
        )
        return pb.GetEmergencyContactsResponse(contacts=[_contact(c) for c in contacts])

    async def ResolveDevice(
        self, request: pb.ResolveDeviceRequest, context: aio.ServicerContext
    ) -> pb.ResolveDeviceResponse:
        resolved = await care.resolve_device(
            self.ctx,
            rpc_principal(),
            request.device_id,
            request.signature,
            request.payload,
            include_contacts=request.include_emergency_contacts,
        )
        return pb.ResolveDeviceResponse(
            device_id=request.device_id,
            person_id=str(resolved.person_id),
            tenant_id=str(resolved.tenant_id),
            emergency_contacts=[_contact(c) for c in resolved.contacts],
        )


def register(ctx: IdentityContext) -> Registrar:
    def add(server: aio.Server) -> None:
        pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(ctx), server)

    return add


SERVICE_NAME = pb.DESCRIPTOR.services_by_name["IdentityService"].full_name
