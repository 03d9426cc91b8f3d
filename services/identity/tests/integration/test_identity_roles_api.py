"""Staff invitations and role grants scoped to units of the grid hierarchy."""

from __future__ import annotations

import pytest

from services.identity.tests.identity_support import (
    PASSWORD,
    District,
    IdentityApi,
    jwt_part,
    new_unit,
    problem_fields,
)

pytestmark = pytest.mark.integration


async def test_invited_staff_accept_sign_in_and_hold_their_role_at_the_unit(
    api: IdentityApi, district: District
):
    grid = new_unit()
    invitation = (
        await api.invite(
            district.id,
            district.admin,
            [("grid_leader", grid)],
            display_name="Li Wei",
            party_category="direct",
        )
    ).json()
    person = invitation["person"]
    assert person["status"] == "invited"
    assert [(r["role"], r["unit_id"]) for r in person["roles"]] == [("grid_leader", str(grid))]
    assert person["roles"][0]["granted_by"] == district.admin.id

    # Not yet able to log in: no password until the invitation is accepted.
    await api.login(district.slug, person["phone"], PASSWORD, expect=401)

    accepted = await api.accept(district, invitation["invitation_code"])
    assert accepted["status"] == "active"
    tokens = (await api.login(district.slug, person["phone"], PASSWORD)).json()
    claims = jwt_part(tokens["access_token"], 1)
    assert claims["tid"] == district.id
    assert claims["sub"] == person["id"]
    assert claims["roles"] == ["grid_leader"]
    assert claims["bindings"] == [{"role": "grid_leader", "unit": str(grid)}]

    # An invitation code works once.
    again = await api.call(
        "POST",
        "/v1/invitations/accept",
        json={"tenant": district.slug, "code": invitation["invitation_code"], "password": PASSWORD},
        expect=404,
    )
    assert problem_fields(again) == ["code"]


async def test_only_admins_invite_and_only_into_their_own_district(
    api: IdentityApi, district: District
):
    leader = await api.staff(district, district.admin, [("grid_leader", new_unit())])
    await api.invite(district.id, leader, [], expect=403)
    other = await api.district()
    await api.invite(other.id, district.admin, [], expect=404)


async def test_unknown_role_is_refused_naming_the_field(api: IdentityApi, district: District):
    answer = await api.invite(district.id, district.admin, [("mayor", None)], expect=422)
    assert problem_fields(answer) == ["role"]


async def test_unit_scoped_admin_grants_only_at_or_below_their_unit(
    api: IdentityApi, district: District
):
    community, grid, building, elsewhere = new_unit(), new_unit(), new_unit(), new_unit()
    unit_admin = await api.staff(district, district.admin, [("tenant_admin", community)])
    resident = await api.register(district)

    # Their own unit: allowed.
    await api.grant(unit_admin, resident.id, "volunteer", community, expect=201)
    # An unrelated unit: refused, and nothing is granted.
    refused = await api.grant(unit_admin, resident.id, "grid_leader", elsewhere, expect=403)
    assert refused.json()["status"] == 403
    # A unit below theirs, but identity does not know that yet: refusing is the safe answer.
    await api.grant(unit_admin, resident.id, "grid_leader", building, expect=403)
    # Tenant-wide grants are beyond a unit admin, and so is platform_admin.
    await api.grant(unit_admin, resident.id, "grid_leader", None, expect=403)
    await api.grant(unit_admin, resident.id, "platform_admin", None, expect=403)

    # Identity learns the hierarchy from the grid: building < grid < community.
    await api.remember_ancestry(district, building, [grid, community])
    granted = await api.grant(unit_admin, resident.id, "grid_leader", building, expect=201)
    assert granted.json()["unit_id"] == str(building)

    # Unit admins also invite only at or below their unit.
    await api.invite(district.id, unit_admin, [("grid_leader", elsewhere)], expect=403)
    await api.invite(district.id, unit_admin, [("grid_leader", building)], expect=201)

    resident = await api.sign_in(district.slug, resident)
    bindings = jwt_part(resident.access, 1)["bindings"]
    assert {"role": "grid_leader", "unit": str(building)} in bindings
    assert {"role": "grid_leader", "unit": str(elsewhere)} not in bindings


async def test_tenant_wide_admin_grants_anywhere_and_revokes(api: IdentityApi, district: District):
    resident = await api.register(district)
    unit = new_unit()
    for role, where in (("grid_leader", unit), ("info_officer", None)):
        await api.grant(district.admin, resident.id, role, where, expect=201)
    # Granting what is already held answers with the existing binding.
    first = await api.grant(district.admin, resident.id, "grid_leader", unit, expect=201)
    again = await api.grant(district.admin, resident.id, "grid_leader", unit, expect=201)
    assert again.json()["id"] == first.json()["id"]

    person = (
        await api.call(
            "GET", f"/v1/people/{resident.id}", headers=district.admin.headers, expect=200
        )
    ).json()
    assert sorted((r["role"], r["unit_id"]) for r in person["roles"]) == sorted(
        [("resident", None), ("grid_leader", str(unit)), ("info_officer", None)]
    )

    await api.call(
        "DELETE",
        f"/v1/role-bindings/{first.json()['id']}",
        headers=district.admin.headers,
        expect=204,
    )
    await api.call(
        "DELETE",
        f"/v1/role-bindings/{first.json()['id']}",
        headers=district.admin.headers,
        expect=404,
    )
    resident = await api.sign_in(district.slug, resident)
    assert sorted(jwt_part(resident.access, 1)["roles"]) == ["info_officer", "resident"]


async def test_only_a_platform_admin_makes_another_platform_admin(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    await api.grant(district.admin, resident.id, "platform_admin", None, expect=403)
    platform = await api.platform_admin()
    # A platform admin may invite one (here into their own platform district).
    invitation = await api.invite(
        platform.person["tenant_id"], platform, [("platform_admin", None)]
    )
    assert [r["role"] for r in invitation.json()["person"]["roles"]] == ["platform_admin"]


async def test_residents_cannot_grant(api: IdentityApi, district: District):
    resident = await api.register(district)
    other = await api.register(district)
    await api.grant(resident, other.id, "volunteer", None, expect=403)
    await api.grant(
        district.admin, "00000000-0000-4000-8000-000000000000", "volunteer", None, expect=404
    )
