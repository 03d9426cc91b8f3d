"""Bad input never becomes a server error: every operation of identity's OpenAPI document,
fuzzed by Schemathesis through the test kit (civicgrid_testkit.fuzz), as the district's admin
and as a plain resident, with real ids in half the paths."""

from __future__ import annotations

import pytest

from civicgrid_testkit.fuzz import fuzz_api
from services.identity.tests.identity_support import (
    BASE_URL,
    PASSWORD,
    District,
    IdentityApi,
    bearer,
    new_unit,
    unique_phone,
)

pytestmark = pytest.mark.integration


async def test_no_generated_request_gets_a_server_error(app, api: IdentityApi, district: District):
    resident = await api.register(district)
    binding = (await api.grant(district.admin, resident.id, "volunteer", new_unit())).json()
    real_ids = {
        "tenant_id": district.id,
        "slug": district.slug,
        "person_id": resident.id,
        "binding_id": binding["id"],
    }

    def headers_for(n: int) -> dict[str, str]:
        # As the district's admin (the widest reach) and as a plain resident, in turn.
        return bearer((district.admin if n % 4 < 2 else resident).access)

    report = await fuzz_api(app.openapi(), api.http, BASE_URL, headers_for, real_ids)
    assert not report.failures, "\n".join(report.failures)
    # Every operation was exercised, and requests got through to the use cases, not only 422s.
    assert len(report.statuses) == report.operations
    assert any(
        code < 300
        for name, codes in report.statuses.items()
        if "{person_id}" in name
        for code in codes
    )


NUL = "A\u0000B"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        (
            "POST",
            "/v1/residents",
            {"tenant": "<slug>", "display_name": NUL, "phone": "<phone>", "password": PASSWORD},
        ),
        (
            "POST",
            "/v1/auth/login",
            {"tenant": "<slug>", "username": "a\u0000@example.org", "password": PASSWORD},
        ),
        ("POST", "/v1/clients", {"name": NUL, "scopes": []}),
        ("PATCH", "/v1/people/<admin>", {"display_name": NUL}),
        ("GET", "/v1/tenants/by-slug/a%00b", None),
    ],
    ids=["register", "login", "client", "patch-person", "tenant-by-slug"],
)
async def test_a_nul_character_is_refused_not_a_server_error(
    api: IdentityApi, district: District, method: str, url: str, body: dict | None
):
    filled = {"<slug>": district.slug, "<phone>": unique_phone(), "<admin>": district.admin.id}
    body = (
        {k: filled.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
        if body
        else None
    )
    url = url.replace("<admin>", district.admin.id)
    answer = await api.call(method, url, json=body, headers=district.admin.headers)
    assert 400 <= answer.status_code < 500, answer.text
