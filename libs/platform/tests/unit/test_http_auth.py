"""Bearer-token dependencies: who is calling, and whether they may."""

from __future__ import annotations

import pytest

from civicgrid_platform.auth import JwksCache, Principal, TokenVerifier, jwks_document
from civicgrid_platform.logs import current_tenant
from libs.platform.tests.unit.http_support import (
    AUDIENCE,
    ISSUER,
    TENANT,
    asgi_client,
    bearer,
    build_app,
    rsa_key,
    token,
)


class CountingVerifier(TokenVerifier):
    calls = 0

    async def verify(self, token: str) -> Principal:
        CountingVerifier.calls += 1
        return await super().verify(token)


async def test_current_principal_is_the_tokens_subject_and_tenant() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.get("/me", headers=bearer(token()))
    assert response.json() == {"subject": "user-1", "tenant": TENANT}


async def test_optional_principal_is_none_without_a_token_but_a_bad_token_is_refused() -> None:
    async with asgi_client(build_app()) as client:
        anonymous = await client.get("/maybe-me")
        known = await client.get("/maybe-me", headers=bearer(token()))
        forged = await client.get("/maybe-me", headers=bearer(token() + "x"))
    assert anonymous.json() == {"subject": None}
    assert known.json() == {"subject": "user-1"}
    assert forged.status_code == 401


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc", "bearer"]
)
async def test_malformed_authorization_header_is_401(header: str) -> None:
    async with asgi_client(build_app()) as client:
        response = await client.get("/maybe-me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith(
        'Bearer realm="testsvc", error="invalid_token"'
    )


async def test_scheme_name_is_case_insensitive() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.get("/me", headers={"Authorization": f"bearer {token()}"})
    assert response.status_code == 200


async def test_role_requirement_refuses_with_403_and_admits_holders() -> None:
    async with asgi_client(build_app()) as client:
        holder = await client.get("/admin", headers=bearer(token()))
        stranger = await client.get("/admin", headers=bearer(token(roles=["member"], bindings=[])))
        nobody = await client.get("/admin")
    assert holder.json() == {"subject": "user-1"}
    assert stranger.status_code == 403
    assert stranger.json()["type"].endswith("/forbidden")
    assert "unit_admin" in stranger.json()["detail"]
    assert nobody.status_code == 401


async def test_scope_requirement_for_integrator_clients() -> None:
    client_token = token(kind="client", sub="open311-app", scope="reports:read")
    async with asgi_client(build_app()) as client:
        allowed = await client.get("/integrations", headers=bearer(client_token))
        refused = await client.get("/integrations", headers=bearer(token()))
    assert allowed.status_code == 200
    assert refused.status_code == 403


async def test_token_is_verified_once_per_request_however_many_dependencies_ask() -> None:
    jwks = JwksCache.from_static(jwks_document([rsa_key()]))
    counting = CountingVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
    CountingVerifier.calls = 0
    async with asgi_client(build_app(token_verifier=counting)) as client:
        response = await client.get("/admin", headers=bearer(token()))
    assert response.status_code == 200
    assert CountingVerifier.calls == 1  # requires_role and CurrentPrincipal share the result


async def test_the_tenant_is_set_for_log_lines_of_the_request() -> None:
    current_tenant.set(None)
    async with asgi_client(build_app()) as client:
        await client.get("/me", headers=bearer(token()))
    # ASGITransport runs the app in this task, so the context variable is visible here.
    assert current_tenant.get() == TENANT
    current_tenant.set(None)


async def test_missing_verifier_is_a_wiring_error_not_an_open_door() -> None:
    async with asgi_client(build_app(token_verifier=None)) as client:
        response = await client.get("/me", headers=bearer(token()))
    assert response.status_code == 500
