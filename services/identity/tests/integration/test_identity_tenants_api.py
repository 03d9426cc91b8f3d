"""Districts: the platform admin is bootstrapped once, creates districts, retries are safe."""

from __future__ import annotations

import pytest

from civicgrid_identity.usecases.platform_admin import PLATFORM_TENANT, ensure_platform_admin
from services.identity.tests.identity_support import (
    PLATFORM_ADMIN_EMAIL,
    PLATFORM_ADMIN_PASSWORD,
    District,
    IdentityApi,
    bearer,
    jwt_part,
    problem_fields,
    unique_slug,
)

pytestmark = pytest.mark.integration


async def test_platform_admin_is_bootstrapped_once_and_logs_in(bootstrapped, ctx, api: IdentityApi):
    assert bootstrapped.admin_created is True
    assert await ensure_platform_admin(ctx, PLATFORM_ADMIN_EMAIL, PLATFORM_ADMIN_PASSWORD) is False

    # Email logins are case-insensitive.
    tokens = (
        await api.login(PLATFORM_TENANT, PLATFORM_ADMIN_EMAIL.upper(), PLATFORM_ADMIN_PASSWORD)
    ).json()
    claims = jwt_part(tokens["access_token"], 1)
    assert claims["roles"] == ["platform_admin"]
    assert claims["bindings"] == [{"role": "platform_admin", "unit": None}]
    me = await api.call("GET", "/v1/me", headers=bearer(tokens["access_token"]), expect=200)
    assert me.json()["email"] == PLATFORM_ADMIN_EMAIL


async def test_platform_admin_creates_a_district_once_per_slug(api: IdentityApi):
    platform = await api.platform_admin()
    body = {
        "slug": unique_slug(),
        "name": " Riverside ",
        "city": "Jinan",
        "timezone": "Asia/Shanghai",
    }

    created = await api.call("POST", "/v1/tenants", json=body, headers=platform.headers, expect=201)
    tenant = created.json()
    assert (tenant["slug"], tenant["name"], tenant["city"]) == (body["slug"], "Riverside", "Jinan")
    assert (tenant["timezone"], tenant["locale"]) == ("Asia/Shanghai", "zh-CN")
    fetched = await api.call(
        "GET", f"/v1/tenants/{tenant['id']}", headers=platform.headers, expect=200
    )
    assert fetched.json() == tenant
    by_slug = await api.call(
        "GET", f"/v1/tenants/by-slug/{body['slug']}", headers=platform.headers, expect=200
    )
    assert by_slug.json()["id"] == tenant["id"]

    again = await api.call("POST", "/v1/tenants", json=body, headers=platform.headers, expect=409)
    assert again.json()["status"] == 409
    assert problem_fields(again) == ["slug"]


async def test_district_creation_refuses_bad_input_naming_the_field(api: IdentityApi):
    platform = await api.platform_admin()
    cases = {
        "timezone": {"slug": unique_slug(), "name": "n", "city": "c", "timezone": "Mars/Olympus"},
        "slug": {"slug": "Not A Slug", "name": "n", "city": "c"},
        "locale": {"slug": unique_slug(), "name": "n", "city": "c", "locale": "fr"},
    }
    for name, body in cases.items():
        response = await api.call(
            "POST", "/v1/tenants", json=body, headers=platform.headers, expect=422
        )
        assert any(field.endswith(name) for field in problem_fields(response)), response.text


async def test_only_a_platform_admin_creates_districts(api: IdentityApi, district: District):
    body = {"slug": unique_slug(), "name": "n", "city": "c"}
    await api.call("POST", "/v1/tenants", json=body, headers=district.admin.headers, expect=403)
    await api.call("POST", "/v1/tenants", json=body, expect=401)


async def test_idempotency_key_replays_the_first_answer(api: IdentityApi):
    platform = await api.platform_admin()
    body = {"slug": unique_slug(), "name": "Hillside", "city": "Jinan"}
    headers = {**platform.headers, "Idempotency-Key": f"create-{body['slug']}"}

    first = await api.call("POST", "/v1/tenants", json=body, headers=headers, expect=201)
    assert "Idempotent-Replayed" not in first.headers
    retry = await api.call("POST", "/v1/tenants", json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json() == first.json()


async def test_idempotency_key_reused_with_another_body_is_refused(api: IdentityApi):
    platform = await api.platform_admin()
    body = {"slug": unique_slug(), "name": "Hillside", "city": "Jinan"}
    headers = {**platform.headers, "Idempotency-Key": f"create-{body['slug']}"}
    await api.call("POST", "/v1/tenants", json=body, headers=headers, expect=201)

    other = {**body, "slug": unique_slug()}
    reused = await api.call("POST", "/v1/tenants", json=other, headers=headers)
    # Whatever the answer, the second body must not have created a district.
    created = await api.call(
        "GET", f"/v1/tenants/by-slug/{other['slug']}", headers=platform.headers
    )
    assert created.status_code == 404, "a reused Idempotency-Key created a second district"
    assert reused.status_code == 422, reused.text
    assert problem_fields(reused) == ["header.Idempotency-Key"]


async def test_a_failed_request_gives_its_idempotency_key_back(api: IdentityApi):
    platform = await api.platform_admin()
    bad = {"slug": unique_slug(), "name": "n", "city": "c", "timezone": "Mars/Olympus"}
    headers = {**platform.headers, "Idempotency-Key": f"retry-{bad['slug']}"}
    await api.call("POST", "/v1/tenants", json=bad, headers=headers, expect=422)
    # The client fixes the body and retries with the same key: it is not held against them.
    fixed = {**bad, "timezone": "Asia/Shanghai"}
    created = await api.call("POST", "/v1/tenants", json=fixed, headers=headers, expect=201)
    assert created.json()["slug"] == bad["slug"]


async def test_district_staff_see_only_their_own_district_in_the_list(
    api: IdentityApi, district: District
):
    listed = await api.call("GET", "/v1/tenants", headers=district.admin.headers, expect=200)
    assert [t["id"] for t in listed.json()["items"]] == [district.id]
