"""Tenant isolation twice over: the API scopes every query by the token's district, and
PostgreSQL row-level security refuses the runtime role any row of another district."""

from __future__ import annotations

import pytest
from asyncpg.exceptions import InsufficientPrivilegeError

from civicgrid_testkit import unique_name
from services.identity.tests.identity_support import (
    District,
    IdentityApi,
    Member,
    Sql,
    new_unit,
)

pytestmark = pytest.mark.integration

ISOLATED_TABLES = ("people", "role_bindings", "emergency_contacts", "refresh_tokens", "audit_log")
CONTACTS = {"contacts": [{"name": "Son", "relation": "son", "phone": "+8613800000009"}]}


async def populated(api: IdentityApi, district: District) -> tuple[Member, str, str]:
    """A resident with a role at a unit, an emergency contact, a device and a session."""
    resident = await api.register(district, living_alone=True)
    binding = await api.grant(district.admin, resident.id, "volunteer", new_unit())
    await api.call(
        "PUT",
        f"/v1/people/{resident.id}/emergency-contacts",
        json=CONTACTS,
        headers=resident.headers,
        expect=200,
    )
    device_id = f"iso-{resident.id[:12]}"
    await api.call(
        "POST",
        f"/v1/people/{resident.id}/devices",
        json={"device_id": device_id},
        headers=district.admin.headers,
        expect=201,
    )
    return resident, str(binding.json()["id"]), device_id


async def test_every_identity_resource_of_another_district_answers_404(
    api: IdentityApi, district: District
):
    other = await api.district()
    victim, binding_id, _ = await populated(api, other)
    admin = district.admin.headers  # an admin, the most powerful role inside a district

    probes = [
        ("GET", f"/v1/people/{victim.id}", None),
        ("GET", f"/v1/people/{victim.id}?tenant_id={other.id}", None),
        ("PATCH", f"/v1/people/{victim.id}", {"display_name": "pwned"}),
        ("GET", f"/v1/people/{victim.id}/emergency-contacts", None),
        ("PUT", f"/v1/people/{victim.id}/emergency-contacts", {"contacts": []}),
        ("POST", f"/v1/people/{victim.id}/devices", {"device_id": f"evil-{victim.id[:8]}"}),
        ("POST", f"/v1/people/{victim.id}/role-bindings", {"role": "volunteer", "unit_id": None}),
        ("DELETE", f"/v1/role-bindings/{binding_id}", None),
        ("GET", f"/v1/tenants/{other.id}", None),
        ("GET", f"/v1/tenants/by-slug/{other.slug}", None),
        (
            "POST",
            f"/v1/tenants/{other.id}/invitations",
            {"display_name": "x", "phone": "+8613900000001"},
        ),
    ]
    for method, url, body in probes:
        answer = await api.call(method, url, json=body, headers=admin)
        assert answer.status_code == 404, f"{method} {url}: {answer.status_code} {answer.text}"

    # Nothing changed over there.
    seen = (
        await api.call("GET", f"/v1/people/{victim.id}", headers=other.admin.headers, expect=200)
    ).json()
    assert seen["display_name"] == "Resident"
    assert {r["id"] for r in seen["roles"]} >= {binding_id}
    contacts = await api.call(
        "GET", f"/v1/people/{victim.id}/emergency-contacts", headers=other.admin.headers, expect=200
    )
    assert len(contacts.json()) == 1
    listed = (
        await api.call("GET", "/v1/people", headers=admin, params={"limit": 200}, expect=200)
    ).json()
    assert victim.id not in {p["id"] for p in listed["items"]}


async def test_row_level_security_hides_other_districts_from_the_runtime_role(
    api: IdentityApi, sql: Sql
):
    a = await api.district()
    b = await api.district()
    await populated(api, a)
    await populated(api, b)

    conn = await sql.connect(as_owner=False)
    try:
        assert await conn.fetchval("SELECT current_user") == f"{sql.db.name}_app"
        # No district bound: not a single row of any district.
        for table in ISOLATED_TABLES:
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608

        # Bound to B: B's rows are there (so the checks below are not vacuous).
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", b.id)
        for table in ISOLATED_TABLES:
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") > 0, table  # noqa: S608

        # Bound to A: B's rows are invisible even when asked for by tenant id...
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", a.id)
        for table in ISOLATED_TABLES:
            query = f"SELECT count(*) FROM {table} WHERE tenant_id = $1::uuid"  # noqa: S608
            assert await conn.fetchval(query, b.id) == 0, table
            assert await conn.fetchval(query, a.id) > 0, table
        # ...and cannot be changed either.
        assert (
            await conn.execute(
                "UPDATE people SET display_name = 'x' WHERE tenant_id = $1::uuid", b.id
            )
            == "UPDATE 0"
        )
        assert (
            await conn.execute("DELETE FROM audit_log WHERE tenant_id = $1::uuid", b.id)
            == "DELETE 0"
        )
        with pytest.raises(InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "INSERT INTO people (tenant_id, display_name, status) "
                "VALUES ($1::uuid, 'x', 'active')",
                b.id,
            )
    finally:
        await conn.close()


async def test_a_city_officer_reads_districts_of_their_own_city_only(api: IdentityApi):
    city = unique_name("city")
    home = await api.district(city=city)
    neighbour = await api.district(city=city)
    elsewhere = await api.district()
    officer = await api.staff(home, home.admin, [("city_officer", None)])
    resident = await api.register(neighbour)

    same_city = await api.call(
        "GET", f"/v1/tenants/{neighbour.id}", headers=officer.headers, expect=200
    )
    assert same_city.json()["slug"] == neighbour.slug
    await api.call("GET", f"/v1/tenants/{elsewhere.id}", headers=officer.headers, expect=404)
    listed = (await api.call("GET", "/v1/tenants", headers=officer.headers, expect=200)).json()
    assert {t["id"] for t in listed["items"]} == {home.id, neighbour.id}
    person = await api.call(
        "GET",
        f"/v1/people/{resident.id}",
        params={"tenant_id": neighbour.id},
        headers=officer.headers,
        expect=200,
    )
    assert person.json()["tenant_id"] == neighbour.id

    # A district officer is not a city officer: neighbouring districts stay invisible.
    district_officer = await api.staff(home, home.admin, [("district_officer", None)])
    await api.call(
        "GET", f"/v1/tenants/{neighbour.id}", headers=district_officer.headers, expect=404
    )
