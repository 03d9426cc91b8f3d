"""What a platform service's district token may ask over gRPC: the notifications scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid.identity.v1 import identity_service_pb2_grpc as pb_grpc
from civicgrid_identity.rpc.servicer import SERVICE_NAME, register
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.service_clients import ServiceClient, ensure_service_clients
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_testkit import unique_name
from services.identity.tests.identity_support import (
    District,
    IdentityApi,
    bearer,
    device_press,
    elder_with_device,
    family,
    new_unit,
)

pytestmark = pytest.mark.integration

SECRET = "service-client-secret-0123456789abcdef"
CONTACTS = [
    {
        "name": "Daughter",
        "relation": "daughter",
        "phone": "+8613800000001",
        "preferred_channel": "sms",
    }
]


@pytest.fixture
async def stub(app, ctx) -> AsyncIterator[pb_grpc.IdentityServiceStub]:
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
        yield pb_grpc.IdentityServiceStub(channel)
    finally:
        await channel.close()
        await server.server.stop(None)


@pytest.fixture
async def service(ctx: IdentityContext) -> ServiceClient:
    client = ServiceClient(
        unique_name("notifications").replace("_", "-"),
        SECRET,
        ("tenants:act", "people:read", "people:contact", "devices:resolve"),
    )
    await ensure_service_clients(ctx, [client])
    return client


async def token(api: IdentityApi, client: ServiceClient, scope: str, tenant: str | None) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
        "scope": scope,
        **({"tenant_id": tenant} if tenant else {}),
    }
    answer = await api.call("POST", "/v1/oauth/token", data=form, expect=200)
    return str(answer.json()["access_token"])


def auth(access: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {access}"),)


async def test_a_district_token_reads_holders_people_and_contacts_in_full(
    stub: pb_grpc.IdentityServiceStub, api: IdentityApi, district: District, service: ServiceClient
):
    unit = new_unit()
    leader = await api.staff(district, district.admin, [("grid_leader", unit)])
    elder = await api.register(district, living_alone=True)
    url = f"/v1/people/{elder.id}/emergency-contacts"
    await api.call("PUT", url, json={"contacts": CONTACTS}, headers=elder.headers, expect=200)
    as_service = await token(api, service, "people:read people:contact", district.id)

    holders = await stub.ListRoleHolders(
        pb.ListRoleHoldersRequest(unit_id=str(unit), role="grid_leader", include_ancestors=True),
        metadata=auth(as_service),
    )
    assert [(h.person.id, h.person.phone) for h in holders.holders] == [
        (leader.id, leader.person["phone"])
    ]
    batch = await stub.BatchGetPeople(
        pb.BatchGetPeopleRequest(person_ids=[elder.id]), metadata=auth(as_service)
    )
    assert [p.phone for p in batch.people] == [elder.person["phone"]]
    contacts = await stub.GetEmergencyContacts(
        pb.GetEmergencyContactsRequest(person_id=elder.id), metadata=auth(as_service)
    )
    assert [(c.name, c.phone) for c in contacts.contacts] == [("Daughter", "+8613800000001")]

    # Reading the family is not changing it.
    answer = await api.call(
        "PUT", url, json={"contacts": []}, headers=bearer(as_service), expect=403
    )
    assert answer.headers["content-type"].startswith("application/problem+json")

    # With people:read alone, phones stay masked and the family stays closed.
    reader = await token(api, service, "people:read", district.id)
    batch = await stub.BatchGetPeople(
        pb.BatchGetPeopleRequest(person_ids=[elder.id]), metadata=auth(reader)
    )
    assert [p.phone for p in batch.people] != [elder.person["phone"]]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.GetEmergencyContacts(
            pb.GetEmergencyContactsRequest(person_id=elder.id), metadata=auth(reader)
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND

    # The district token sees nothing of another district.
    other = await api.district()
    stranger = await api.register(other)
    batch = await stub.BatchGetPeople(
        pb.BatchGetPeopleRequest(person_ids=[stranger.id]), metadata=auth(as_service)
    )
    assert (list(batch.people), list(batch.missing_ids)) == ([], [stranger.id])
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.GetEmergencyContacts(
            pb.GetEmergencyContactsRequest(person_id=stranger.id), metadata=auth(as_service)
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_platform_token_with_devices_resolve_finds_any_districts_device(
    stub: pb_grpc.IdentityServiceStub, api: IdentityApi, district: District, service: ServiceClient
):
    elder, device_id, secret = await elder_with_device(api, district, [])
    press = device_press(device_id, secret, with_family=False)
    platform_wide = await token(api, service, "devices:resolve", None)
    resolved = await stub.ResolveDevice(press, metadata=auth(platform_wide))
    assert (resolved.person_id, resolved.tenant_id) == (elder.id, district.id)

    # Without the scope, a token of another tenant is refused.
    other_district = await token(api, service, "people:read", (await api.district()).id)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ResolveDevice(press, metadata=auth(other_district))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_identity_a_platform_press_gets_only_the_devices_own_district_family(
    stub: pb_grpc.IdentityServiceStub, api: IdentityApi, district: District, service: ServiceClient
):
    # Two districts, each with an elder, a family and a device: the alert chain's platform
    # token resolves both, and each device answers its own district's family only.
    other = await api.district()
    elder_a, device_a, secret_a = await elder_with_device(api, district, family("Ana", "Ben"))
    elder_b, device_b, secret_b = await elder_with_device(api, other, family("Cai"))
    platform_wide = await token(api, service, "devices:resolve", None)

    for device_id, secret, elder, tenant, names in (
        (device_a, secret_a, elder_a, district.id, ["Ana", "Ben"]),
        (device_b, secret_b, elder_b, other.id, ["Cai"]),
        (device_a, secret_a, elder_a, district.id, ["Ana", "Ben"]),
    ):
        resolved = await stub.ResolveDevice(
            device_press(device_id, secret, with_family=True), metadata=auth(platform_wide)
        )
        assert (resolved.person_id, resolved.tenant_id) == (elder.id, tenant)
        assert [c.name for c in resolved.emergency_contacts] == names


async def test_identity_a_district_token_needs_people_contact_for_the_family(
    stub: pb_grpc.IdentityServiceStub, api: IdentityApi, district: District, service: ServiceClient
):
    _, device_id, secret = await elder_with_device(api, district, family("Daughter"))

    reader = await token(api, service, "people:read", district.id)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ResolveDevice(
            device_press(device_id, secret, with_family=True), metadata=auth(reader)
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    caller = await token(api, service, "people:contact", district.id)
    resolved = await stub.ResolveDevice(
        device_press(device_id, secret, with_family=True), metadata=auth(caller)
    )
    assert [c.name for c in resolved.emergency_contacts] == ["Daughter"]
