"""IdentityService over gRPC, served by the platform's GrpcServer on a free local port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import uuid4

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid.identity.v1 import identity_service_pb2_grpc as pb_grpc
from civicgrid_identity.rpc.servicer import SERVICE_NAME, register
from civicgrid_identity.usecases.care import device_signature
from civicgrid_platform.grpc.server import GrpcServer
from services.identity.tests.identity_support import (
    District,
    IdentityApi,
    Member,
    device_press,
    elder_with_device,
    family,
    new_unit,
)

pytestmark = pytest.mark.integration


@dataclass
class Rpc:
    stub: pb_grpc.IdentityServiceStub
    health: health_pb2_grpc.HealthStub

    @staticmethod
    def auth(member: Member) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {member.access}"),)


@pytest.fixture
async def rpc(app, ctx) -> AsyncIterator[Rpc]:
    # The same verifier as the HTTP app: it fetches the JWKS from the in-process app.
    server = GrpcServer(
        host="127.0.0.1",
        port=0,
        registrars=[register(ctx)],
        service_names=[SERVICE_NAME],
        verifier=app.state.token_verifier,
    )
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Rpc(pb_grpc.IdentityServiceStub(channel), health_pb2_grpc.HealthStub(channel))
    finally:
        await channel.close()
        await server.server.stop(None)


async def rpc_error(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value


async def test_health_answers_without_a_token(rpc: Rpc):
    for service in ("", SERVICE_NAME):
        answer = await rpc.health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING


async def test_get_person_and_batch_get_people(rpc: Rpc, api: IdentityApi, district: District):
    resident = await api.register(district, living_alone=True, locale="en")
    unit = new_unit()
    await api.grant(district.admin, resident.id, "volunteer", unit)

    answer = await rpc.stub.GetPerson(
        pb.GetPersonRequest(person_id=resident.id), metadata=Rpc.auth(district.admin)
    )
    person = answer.person
    assert (person.id, person.tenant_id, person.phone) == (
        resident.id,
        district.id,
        resident.person["phone"],
    )
    assert (person.living_alone, person.locale, person.status) == (True, "en", "active")
    assert {(r.role, r.unit_id) for r in person.roles} == {
        ("resident", ""),
        ("volunteer", str(unit)),
    }

    missing = "00000000-0000-4000-8000-000000000001"
    batch = await rpc.stub.BatchGetPeople(
        pb.BatchGetPeopleRequest(person_ids=[resident.id, district.admin.id, missing]),
        metadata=Rpc.auth(district.admin),
    )
    assert {p.id for p in batch.people} == {resident.id, district.admin.id}
    assert list(batch.missing_ids) == [missing]

    # A resident asking about someone else learns nothing: the person counts as missing.
    other = await api.register(district)
    batch = await rpc.stub.BatchGetPeople(
        pb.BatchGetPeopleRequest(person_ids=[other.id, resident.id]), metadata=Rpc.auth(resident)
    )
    assert [p.id for p in batch.people] == [resident.id]
    assert list(batch.missing_ids) == [other.id]


async def test_calls_are_refused_without_token_with_bad_ids_and_across_districts(
    rpc: Rpc, api: IdentityApi, district: District
):
    resident = await api.register(district)

    error = await rpc_error(rpc.stub.GetPerson(pb.GetPersonRequest(person_id=resident.id)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = await rpc_error(
        rpc.stub.GetPerson(
            pb.GetPersonRequest(person_id=resident.id),
            metadata=(("authorization", "Bearer x.y.z"),),
        )
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED

    error = await rpc_error(
        rpc.stub.GetPerson(
            pb.GetPersonRequest(person_id="not-a-uuid"), metadata=Rpc.auth(district.admin)
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "person_id" in (error.details() or "")
    error = await rpc_error(
        rpc.stub.BatchGetPeople(
            pb.BatchGetPeopleRequest(person_ids=[resident.id, "nope"]),
            metadata=Rpc.auth(district.admin),
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "person_ids.1" in (error.details() or "")

    other = await api.district()
    for call in (
        rpc.stub.GetPerson(
            pb.GetPersonRequest(person_id=resident.id), metadata=Rpc.auth(other.admin)
        ),
        rpc.stub.GetEmergencyContacts(
            pb.GetEmergencyContactsRequest(person_id=resident.id), metadata=Rpc.auth(other.admin)
        ),
    ):
        assert (await rpc_error(call)).code() == grpc.StatusCode.NOT_FOUND
    batch = await rpc.stub.BatchGetPeople(
        pb.BatchGetPeopleRequest(person_ids=[resident.id]), metadata=Rpc.auth(other.admin)
    )
    assert list(batch.people) == []
    assert list(batch.missing_ids) == [resident.id]


async def test_list_role_holders_nearest_unit_first(rpc: Rpc, api: IdentityApi, district: District):
    community, grid, building = new_unit(), new_unit(), new_unit()
    at_grid = await api.register(district)
    at_community = await api.register(district)
    tenant_wide = await api.register(district)
    elsewhere = await api.register(district)
    for person, unit in (
        (at_grid, grid),
        (at_community, community),
        (tenant_wide, None),
        (elsewhere, new_unit()),
    ):
        await api.grant(district.admin, person.id, "grid_leader", unit)
    await api.remember_ancestry(district, grid, [community])

    def request(unit, include_ancestors, known=()):
        return pb.ListRoleHoldersRequest(
            unit_id=str(unit),
            role="grid_leader",
            include_ancestors=include_ancestors,
            ancestor_unit_ids=[str(u) for u in known],
        )

    only_here = await rpc.stub.ListRoleHolders(
        request(grid, False), metadata=Rpc.auth(district.admin)
    )
    assert [h.person.id for h in only_here.holders] == [at_grid.id]

    upwards = await rpc.stub.ListRoleHolders(request(grid, True), metadata=Rpc.auth(district.admin))
    assert [(h.person.id, h.binding.unit_id) for h in upwards.holders] == [
        (at_grid.id, str(grid)),
        (at_community.id, str(community)),
        (tenant_wide.id, ""),
    ]
    assert upwards.holders[0].person.phone == at_grid.person["phone"]

    # A unit identity has not learnt about: the caller passes its ancestors.
    told = await rpc.stub.ListRoleHolders(
        request(building, True, [grid, community]), metadata=Rpc.auth(district.admin)
    )
    assert [h.person.id for h in told.holders] == [at_grid.id, at_community.id, tenant_wide.id]

    error = await rpc_error(
        rpc.stub.ListRoleHolders(request("x", True), metadata=Rpc.auth(district.admin))
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_emergency_contacts_and_device_resolution(
    rpc: Rpc, api: IdentityApi, district: District
):
    elder = await api.register(district, living_alone=True)
    contacts = {
        "contacts": [
            {
                "name": "Daughter",
                "relation": "daughter",
                "phone": "+8613800000001",
                "preferred_channel": "voice",
            },
            {
                "name": "Neighbour",
                "relation": "neighbour",
                "phone": "+8613800000002",
                "preferred_channel": "app",
            },
        ]
    }
    await api.call(
        "PUT",
        f"/v1/people/{elder.id}/emergency-contacts",
        json=contacts,
        headers=elder.headers,
        expect=200,
    )
    answer = await rpc.stub.GetEmergencyContacts(
        pb.GetEmergencyContactsRequest(person_id=elder.id), metadata=Rpc.auth(district.admin)
    )
    assert [(c.position, c.name, c.phone, c.preferred_channel) for c in answer.contacts] == [
        (1, "Daughter", "+8613800000001", pb.CHANNEL_VOICE),
        (2, "Neighbour", "+8613800000002", pb.CHANNEL_APP),
    ]

    device_id = f"grpc-{elder.id[:8]}"
    bound = (
        await api.call(
            "POST",
            f"/v1/people/{elder.id}/devices",
            json={"device_id": device_id},
            headers=district.admin.headers,
            expect=201,
        )
    ).json()
    payload = b"press:2026-01-05T08:00:00Z"
    signature = device_signature(bound["secret"], payload)
    resolved = await rpc.stub.ResolveDevice(
        pb.ResolveDeviceRequest(device_id=device_id, signature=signature, payload=payload),
        metadata=Rpc.auth(district.admin),
    )
    assert (resolved.device_id, resolved.person_id, resolved.tenant_id) == (
        device_id,
        elder.id,
        district.id,
    )

    wrong = pb.ResolveDeviceRequest(
        device_id=device_id, signature=device_signature("guess", payload), payload=payload
    )
    error = await rpc_error(rpc.stub.ResolveDevice(wrong, metadata=Rpc.auth(district.admin)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    unknown = pb.ResolveDeviceRequest(
        device_id="grpc-unknown", signature=signature, payload=payload
    )
    error = await rpc_error(rpc.stub.ResolveDevice(unknown, metadata=Rpc.auth(district.admin)))
    assert error.code() == grpc.StatusCode.NOT_FOUND

    # A caller of another district may not resolve this district's devices.
    other = await api.district()
    right = pb.ResolveDeviceRequest(device_id=device_id, signature=signature, payload=payload)
    error = await rpc_error(rpc.stub.ResolveDevice(right, metadata=Rpc.auth(other.admin)))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_non_hex_signature_is_refused_as_unauthenticated(
    rpc: Rpc, api: IdentityApi, district: District
):
    # Regression: a non-ASCII signature made hmac.compare_digest raise and the RPC fail UNKNOWN.
    elder = await api.register(district)
    device_id = f"utf-{elder.id[:8]}"
    await api.call(
        "POST",
        f"/v1/people/{elder.id}/devices",
        json={"device_id": device_id},
        headers=district.admin.headers,
        expect=201,
    )
    request = pb.ResolveDeviceRequest(device_id=device_id, signature="é" * 64, payload=b"press")
    error = await rpc_error(rpc.stub.ResolveDevice(request, metadata=Rpc.auth(district.admin)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_identity_resolve_device_answers_the_family_in_order_only_when_asked(
    rpc: Rpc, api: IdentityApi, district: District
):
    elder, device_id, secret = await elder_with_device(
        api, district, family("Daughter", "Neighbour", "Son")
    )
    listed = await rpc.stub.GetEmergencyContacts(
        pb.GetEmergencyContactsRequest(person_id=elder.id), metadata=Rpc.auth(district.admin)
    )
    assert [c.name for c in listed.contacts] == ["Daughter", "Neighbour", "Son"]

    # The case worker (the district admin) and the elder themselves may read the family.
    for caller in (district.admin, elder):
        resolved = await rpc.stub.ResolveDevice(
            device_press(device_id, secret, with_family=True), metadata=Rpc.auth(caller)
        )
        assert (resolved.person_id, resolved.tenant_id) == (elder.id, district.id)
        assert list(resolved.emergency_contacts) == list(listed.contacts)
    assert [(c.position, c.relation, c.preferred_channel) for c in resolved.emergency_contacts] == [
        (1, "family", pb.CHANNEL_VOICE),
        (2, "family", pb.CHANNEL_SMS),
        (3, "family", pb.CHANNEL_APP),
    ]

    plain = await rpc.stub.ResolveDevice(
        device_press(device_id, secret, with_family=False), metadata=Rpc.auth(district.admin)
    )
    assert (plain.person_id, list(plain.emergency_contacts)) == (elder.id, [])

    alone, lone_device, lone_secret = await elder_with_device(api, district, [])
    resolved = await rpc.stub.ResolveDevice(
        device_press(lone_device, lone_secret, with_family=True), metadata=Rpc.auth(district.admin)
    )
    assert (resolved.person_id, list(resolved.emergency_contacts)) == (alone.id, [])


async def test_identity_resolve_device_refuses_the_family_to_a_caller_who_may_not_read_it(
    rpc: Rpc, api: IdentityApi, district: District
):
    _, device_id, secret = await elder_with_device(api, district, family("Daughter"))
    neighbour = await api.register(district)

    # A resident of the same district may resolve the device, not read a stranger's family:
    # asked for it, the whole answer is refused rather than given without it.
    plain = await rpc.stub.ResolveDevice(
        device_press(device_id, secret, with_family=False), metadata=Rpc.auth(neighbour)
    )
    assert plain.tenant_id == district.id
    error = await rpc_error(
        rpc.stub.ResolveDevice(
            device_press(device_id, secret, with_family=True), metadata=Rpc.auth(neighbour)
        )
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED

    other = await api.district()
    error = await rpc_error(
        rpc.stub.ResolveDevice(
            device_press(device_id, secret, with_family=True), metadata=Rpc.auth(other.admin)
        )
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_identity_resolve_device_with_the_family_still_checks_device_and_signature(
    rpc: Rpc, api: IdentityApi, district: District
):
    _, device_id, secret = await elder_with_device(api, district, family("Daughter"))

    forged = device_press(device_id, "guess", with_family=True)
    error = await rpc_error(rpc.stub.ResolveDevice(forged, metadata=Rpc.auth(district.admin)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    unknown = device_press(f"unknown-{uuid4()}", secret, with_family=True)
    error = await rpc_error(rpc.stub.ResolveDevice(unknown, metadata=Rpc.auth(district.admin)))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_identity_get_emergency_contacts_tells_no_family_from_no_person(
    rpc: Rpc, api: IdentityApi, district: District
):
    alone = await api.register(district, living_alone=True)
    answer = await rpc.stub.GetEmergencyContacts(
        pb.GetEmergencyContactsRequest(person_id=alone.id), metadata=Rpc.auth(district.admin)
    )
    assert list(answer.contacts) == []

    error = await rpc_error(
        rpc.stub.GetEmergencyContacts(
            pb.GetEmergencyContactsRequest(person_id=str(uuid4())),
            metadata=Rpc.auth(district.admin),
        )
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
