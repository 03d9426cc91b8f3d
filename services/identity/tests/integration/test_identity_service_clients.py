"""Platform service clients: ensured from the settings, and acting in a named district."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.tenants_repo import DirectoryRepository
from civicgrid_identity.usecases.clients import client_secret_hash
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.service_clients import ServiceClient, ensure_service_clients
from civicgrid_platform.errors import InvalidInput
from civicgrid_testkit import unique_name
from services.identity.tests.identity_support import (
    District,
    IdentityApi,
    Member,
    jwt_part,
    problem_fields,
)

pytestmark = pytest.mark.integration

SECRET = "service-client-secret-0123456789abcdef"
ALL_SCOPES = ("tenants:act", "people:read", "people:contact", "devices:resolve")


def service_client(*scopes: str, secret: str = SECRET) -> ServiceClient:
    return ServiceClient(unique_name("svc").replace("_", "-"), secret, scopes or ALL_SCOPES)


def token_form(client_id: str, secret: str = SECRET, **fields: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        **fields,
    }


async def audit_of(api: IdentityApi, admin: Member, subject_or_actor: str) -> list[dict[str, Any]]:
    """The newest audit entries of the admin's tenant about (or by) one client."""
    page = await api.call(
        "GET", "/v1/audit", headers=admin.headers, params={"limit": 200}, expect=200
    )
    return [e for e in page.json()["items"] if subject_or_actor in (e["subject"], e["actor"])]


async def test_service_clients_from_settings_are_ensured_rotated_and_revoked(
    api: IdentityApi, ctx: IdentityContext
):
    client = service_client("people:read")
    await ensure_service_clients(ctx, [client])
    await ensure_service_clients(ctx, [client])  # a second replica starting: nothing changes
    form = token_form(client.client_id)
    token = (await api.call("POST", "/v1/oauth/token", data=form, expect=200)).json()
    claims = jwt_part(token["access_token"], 1)
    assert (claims["kind"], claims["sub"], claims["scope"]) == (
        "client",
        client.client_id,
        "people:read",
    )

    rotated = ServiceClient(client.client_id, SECRET + "-rotated", ("people:read", "tenants:act"))
    await ensure_service_clients(ctx, [rotated])
    await api.call("POST", "/v1/oauth/token", data=form, expect=401)
    renewed = token_form(client.client_id, rotated.secret)
    token = (await api.call("POST", "/v1/oauth/token", data=renewed, expect=200)).json()
    assert token["scope"] == "people:read tenants:act"

    # Dropped from the settings: disabled, so its secret no longer buys a token.
    await ensure_service_clients(ctx, [])
    await api.call("POST", "/v1/oauth/token", data=renewed, expect=401)
    # Listed again: enabled again.
    await ensure_service_clients(ctx, [rotated])
    await api.call("POST", "/v1/oauth/token", data=renewed, expect=200)

    platform = await api.platform_admin()
    actions = [e["action"] for e in await audit_of(api, platform, client.client_id)]
    assert actions == ["client.updated", "client.disabled", "client.updated", "client.registered"]


async def test_service_client_settings_are_checked(ctx: IdentityContext):
    for bad, field in (
        (ServiceClient("cli_1234", SECRET, ()), "service_clients.0.client_id"),
        (ServiceClient("svc-short", "too-short", ()), "service_clients.0.secret"),
        (ServiceClient("svc-scopes", SECRET, ("Not A Scope",)), "service_clients.0.scopes"),
    ):
        with pytest.raises(InvalidInput) as raised:
            await ensure_service_clients(ctx, [bad])
        assert raised.value.field == field
    twice = service_client()
    with pytest.raises(InvalidInput) as raised:
        await ensure_service_clients(ctx, [twice, twice])
    assert raised.value.field == "service_clients.1.client_id"


async def test_a_platform_service_client_gets_a_token_in_a_named_district(
    api: IdentityApi, ctx: IdentityContext, district: District
):
    client = service_client()
    await ensure_service_clients(ctx, [client])

    form = token_form(client.client_id, tenant_id=district.id)
    token = (await api.call("POST", "/v1/oauth/token", data=form, expect=200)).json()
    claims = jwt_part(token["access_token"], 1)
    assert (claims["kind"], claims["sub"], claims["tid"]) == (
        "client",
        client.client_id,
        district.id,
    )
    # Everything the client holds except the power to act in districts; no roles, no refresh.
    assert claims["scope"] == token["scope"] == "devices:resolve people:contact people:read"
    assert (claims["roles"], token["refresh_token"]) == ([], None)
    assert token["expires_in"] == int(ctx.tokens.access_ttl.total_seconds())
    assert claims["exp"] - claims["iat"] == token["expires_in"]

    narrowed = token_form(client.client_id, tenant_id=district.id, scope="people:read")
    token = (await api.call("POST", "/v1/oauth/token", data=narrowed, expect=200)).json()
    assert jwt_part(token["access_token"], 1)["scope"] == "people:read"

    # Without tenant_id the token is the platform tenant's, as for any client.
    own = (
        await api.call("POST", "/v1/oauth/token", data=token_form(client.client_id), expect=200)
    ).json()
    platform = await api.platform_admin()
    assert jwt_part(own["access_token"], 1)["tid"] == platform.person["tenant_id"]

    # The district's admins see who acted there, the platform's operators too.
    [seen, _] = [
        e
        for e in await audit_of(api, district.admin, client.client_id)
        if e["action"] == "client.tenant_token_issued"
    ]
    assert (seen["actor"], seen["subject"]) == (client.client_id, district.id)
    assert seen["details"]["scopes"] == ["people:read"]
    issued = [
        e
        for e in await audit_of(api, platform, client.client_id)
        if e["action"] == "client.tenant_token_issued"
    ]
    assert len(issued) == 2


async def test_a_district_token_is_refused_what_it_should(
    api: IdentityApi, ctx: IdentityContext, district: District
):
    client = service_client()
    await ensure_service_clients(ctx, [client])
    for fields, status, named in (
        ({"tenant_id": "not-a-uuid"}, 422, "tenant_id"),
        ({"tenant_id": str(uuid.uuid4())}, 422, "tenant_id"),
        ({"tenant_id": district.id, "scope": "tenants:act people:read"}, 422, "scope"),
        ({"tenant_id": district.id, "scope": "tickets:write"}, 422, "scope"),
    ):
        answer = await api.call(
            "POST", "/v1/oauth/token", data=token_form(client.client_id, **fields), expect=status
        )
        assert problem_fields(answer) == [named], fields
    # The secret is checked before anything is said about the district.
    wrong = token_form(client.client_id, "not-the-secret", tenant_id=district.id)
    await api.call("POST", "/v1/oauth/token", data=wrong, expect=401)

    # A platform client without tenants:act may not act in a district.
    plain = service_client("people:read")
    await ensure_service_clients(ctx, [client, plain])
    answer = await api.call(
        "POST",
        "/v1/oauth/token",
        data=token_form(plain.client_id, tenant_id=district.id),
        expect=403,
    )
    assert problem_fields(answer) == ["tenant_id"]


async def test_only_platform_clients_act_and_only_platform_admins_hand_out_platform_scopes(
    api: IdentityApi, ctx: IdentityContext, district: District
):
    for scope in ("tenants:act", "devices:resolve"):
        answer = await api.call(
            "POST",
            "/v1/clients",
            json={"name": "sneaky", "scopes": ["people:read", scope]},
            headers=district.admin.headers,
            expect=403,
        )
        assert problem_fields(answer) == ["scopes.1"]

    # A district's integrator client cannot act in a district, even its own.
    integrator = (
        await api.call(
            "POST",
            "/v1/clients",
            json={"name": "bridge", "scopes": ["people:read"]},
            headers=district.admin.headers,
            expect=201,
        )
    ).json()
    form = token_form(integrator["client_id"], integrator["client_secret"], tenant_id=district.id)
    answer = await api.call("POST", "/v1/oauth/token", data=form, expect=403)
    assert problem_fields(answer) == ["tenant_id"]
    refused = await audit_of(api, district.admin, integrator["client_id"])
    assert refused[0]["action"] == "client.tenant_token_refused"

    # Nor can one that holds tenants:act somehow: acting is for the platform tenant's clients.
    stowaway = "cli_" + uuid.uuid4().hex[:24]
    async with ctx.uow(tenant_id=uuid.UUID(district.id)) as uow:
        await DirectoryRepository(uow.session).add_client(stowaway, uuid.UUID(district.id))
        await AuthRepository(uow.session, uuid.UUID(district.id)).add_client(
            client_id=stowaway,
            name="stowaway",
            secret_hash=client_secret_hash(SECRET),
            scopes=["tenants:act", "people:read"],
        )
        await uow.commit()
    other = await api.district()
    for tenant in (other.id, district.id):
        answer = await api.call(
            "POST", "/v1/oauth/token", data=token_form(stowaway, tenant_id=tenant), expect=403
        )
        assert problem_fields(answer) == ["tenant_id"]

    # A platform admin registers one in the platform tenant through the API: it may act.
    platform = await api.platform_admin()
    assert platform.person["tenant_id"] != district.id
    registered = (
        await api.call(
            "POST",
            "/v1/clients",
            json={"name": "ops tool", "scopes": ["tenants:act", "people:read"]},
            headers=platform.headers,
            expect=201,
        )
    ).json()
    form = token_form(registered["client_id"], registered["client_secret"], tenant_id=district.id)
    token = (await api.call("POST", "/v1/oauth/token", data=form, expect=200)).json()
    assert jwt_part(token["access_token"], 1)["tid"] == district.id
