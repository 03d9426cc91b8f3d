"""Integrator clients: registered by a tenant admin, trading credentials for scoped tokens."""

from __future__ import annotations

import pytest

from services.identity.tests.identity_support import (
    District,
    IdentityApi,
    bearer,
    jwt_part,
    problem_fields,
)

pytestmark = pytest.mark.integration


async def register_client(api: IdentityApi, district: District, scopes: list[str]) -> dict:
    answer = await api.call(
        "POST",
        "/v1/clients",
        json={"name": " Open311 bridge ", "scopes": scopes},
        headers=district.admin.headers,
        expect=201,
    )
    return dict(answer.json())


def grant(client: dict, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
    }
    form.update(overrides)
    return form


async def test_client_credentials_grant_issues_a_client_token_with_the_scopes(
    api: IdentityApi, district: District
):
    client = await register_client(api, district, ["tickets:write", "people:read", "tickets:write"])
    assert client["client_id"].startswith("cli_")
    assert client["name"] == "Open311 bridge"
    assert client["scopes"] == ["people:read", "tickets:write"]

    token = (await api.call("POST", "/v1/oauth/token", data=grant(client), expect=200)).json()
    assert token["token_type"] == "Bearer"
    assert token["refresh_token"] is None
    claims = jwt_part(token["access_token"], 1)
    assert (claims["kind"], claims["sub"], claims["tid"]) == (
        "client",
        client["client_id"],
        district.id,
    )
    assert claims["scope"] == "people:read tickets:write"
    assert claims["roles"] == []

    narrowed = (
        await api.call(
            "POST", "/v1/oauth/token", data=grant(client, scope="tickets:write"), expect=200
        )
    ).json()
    assert narrowed["scope"] == "tickets:write"
    assert jwt_part(narrowed["access_token"], 1)["scope"] == "tickets:write"

    # The token is accepted by the API (it may read people, as its scope says).
    listed = await api.call("GET", "/v1/people", headers=bearer(token["access_token"]), expect=200)
    assert [p["id"] for p in listed.json()["items"]] == [district.admin.id]
    # Without people:read it may not.
    await api.call("GET", "/v1/people", headers=bearer(narrowed["access_token"]), expect=404)


async def test_client_credentials_grant_refuses_what_it_should(
    api: IdentityApi, district: District
):
    client = await register_client(api, district, ["tickets:read"])

    too_much = await api.call(
        "POST",
        "/v1/oauth/token",
        data=grant(client, scope="tickets:read people:contact"),
        expect=422,
    )
    assert problem_fields(too_much) == ["scope"]
    wrong = await api.call(
        "POST", "/v1/oauth/token", data=grant(client, client_secret="not-the-secret"), expect=401
    )
    assert wrong.json()["detail"] == "invalid username or password"
    await api.call(
        "POST", "/v1/oauth/token", data=grant(client, client_id="cli_unknown"), expect=401
    )
    unsupported = await api.call(
        "POST", "/v1/oauth/token", data=grant(client, grant_type="password"), expect=422
    )
    assert problem_fields(unsupported) == ["grant_type"]
    # JSON instead of a form is a request the endpoint does not understand.
    await api.call("POST", "/v1/oauth/token", json=grant(client), expect=422)


async def test_only_tenant_admins_register_clients_and_scopes_are_checked(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    await api.call(
        "POST",
        "/v1/clients",
        json={"name": "x", "scopes": []},
        headers=resident.headers,
        expect=403,
    )
    bad = await api.call(
        "POST",
        "/v1/clients",
        json={"name": "x", "scopes": ["ok:scope", "Not A Scope"]},
        headers=district.admin.headers,
        expect=422,
    )
    assert problem_fields(bad) == ["scopes.1"]


async def test_me_with_a_client_token_is_refused_not_a_server_error(
    api: IdentityApi, district: District
):
    # Regression: /v1/me parsed the client id as a person UUID and answered 500.
    client = await register_client(api, district, ["people:read"])
    token = (await api.call("POST", "/v1/oauth/token", data=grant(client), expect=200)).json()
    answer = await api.call("GET", "/v1/me", headers=bearer(token["access_token"]), expect=403)
    assert answer.headers["content-type"].startswith("application/problem+json")
