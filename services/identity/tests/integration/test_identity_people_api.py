"""People: who reads whom, phones masked for those who need not see them, profile changes,
emergency contacts and alert devices."""

from __future__ import annotations

import pytest

from civicgrid_identity.usecases.care import device_signature, resolve_device
from civicgrid_platform.errors import NotAuthenticated, NotFound
from services.identity.tests.identity_support import (
    District,
    IdentityApi,
    Member,
    bearer,
    new_unit,
    principal_of,
    problem_fields,
    unique_phone,
)

pytestmark = pytest.mark.integration


def masked(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


async def client_token(
    api: IdentityApi, district: District, scopes: list[str], requested: str
) -> str:
    client = (
        await api.call(
            "POST",
            "/v1/clients",
            json={"name": "notifications", "scopes": scopes},
            headers=district.admin.headers,
            expect=201,
        )
    ).json()
    form = {
        "grant_type": "client_credentials",
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "scope": requested,
    }
    return str(
        (await api.call("POST", "/v1/oauth/token", data=form, expect=200)).json()["access_token"]
    )


async def test_residents_read_only_themselves(api: IdentityApi, district: District):
    alice = await api.register(district)
    bob = await api.register(district)
    await api.call("GET", f"/v1/people/{bob.id}", headers=alice.headers, expect=404)
    await api.call("GET", "/v1/people", headers=alice.headers, expect=404)
    own = await api.call("GET", f"/v1/people/{alice.id}", headers=alice.headers, expect=200)
    assert own.json()["phone"] == alice.person["phone"]


async def test_phone_numbers_are_shown_in_full_only_to_those_who_work_cases(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    phone = resident.person["phone"]
    leader = await api.staff(district, district.admin, [("grid_leader", new_unit())])
    volunteer = await api.register(district)
    await api.grant(district.admin, volunteer.id, "volunteer", None)
    volunteer = await api.sign_in(district.slug, volunteer)

    seen = await api.call("GET", f"/v1/people/{resident.id}", headers=leader.headers, expect=200)
    assert seen.json()["phone"] == phone
    listed = await api.call(
        "GET", "/v1/people", headers=leader.headers, params={"limit": 200}, expect=200
    )
    assert phone in {p["phone"] for p in listed.json()["items"]}

    # A volunteer is not case-working staff: the directory stays closed.
    await api.call("GET", "/v1/people", headers=volunteer.headers, expect=404)
    await api.call("GET", f"/v1/people/{resident.id}", headers=volunteer.headers, expect=404)

    # An integrator that may read people sees masked numbers...
    reader = bearer(
        await client_token(api, district, ["people:contact", "people:read"], "people:read")
    )
    seen = await api.call("GET", f"/v1/people/{resident.id}", headers=reader, expect=200)
    assert seen.json()["phone"] == masked(phone)
    assert seen.json()["phone"] != phone
    listed = await api.call("GET", "/v1/people", headers=reader, params={"limit": 200}, expect=200)
    assert {p["phone"] for p in listed.json()["items"]} == {
        masked(p)
        for p in (
            phone,
            leader.person["phone"],
            volunteer.person["phone"],
            district.admin.person["phone"],
        )
    }

    # ...one that must contact people (notifications) sees them in full.
    contact = bearer(
        await client_token(
            api, district, ["people:contact", "people:read"], "people:read people:contact"
        )
    )
    seen = await api.call("GET", f"/v1/people/{resident.id}", headers=contact, expect=200)
    assert seen.json()["phone"] == phone


async def test_people_list_pages_with_a_cursor(api: IdentityApi, district: District):
    for _ in range(3):
        await api.register(district)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await api.call(
                "GET", "/v1/people", headers=district.admin.headers, params=params, expect=200
            )
        ).json()
        assert len(page["items"]) <= 2
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4  # the admin and three residents
    tampered = await api.call(
        "GET",
        "/v1/people",
        headers=district.admin.headers,
        params={"cursor": "eyJpZCI6IngifQ"},
        expect=422,
    )
    assert problem_fields(tampered) == ["query.cursor"]


async def test_people_change_their_own_profile_but_not_admin_fields(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    url = f"/v1/people/{resident.id}"
    changed = await api.call(
        "PATCH",
        url,
        json={"display_name": "New Name", "email": "New@Example.org"},
        headers=resident.headers,
        expect=200,
    )
    assert (changed.json()["display_name"], changed.json()["email"]) == (
        "New Name",
        "new@example.org",
    )
    refused = await api.call(
        "PATCH", url, json={"living_alone": True}, headers=resident.headers, expect=422
    )
    assert problem_fields(refused) == ["living_alone"]
    other = await api.register(district)
    await api.call(
        "PATCH",
        f"/v1/people/{other.id}",
        json={"display_name": "x"},
        headers=resident.headers,
        expect=404,
    )
    clash = await api.call(
        "PATCH", url, json={"phone": other.person["phone"]}, headers=resident.headers, expect=409
    )
    assert problem_fields(clash) == ["phone"]

    by_admin = await api.call(
        "PATCH",
        url,
        json={"living_alone": True, "party_branch": "Branch 3"},
        headers=district.admin.headers,
        expect=200,
    )
    assert by_admin.json()["living_alone"] is True
    assert by_admin.json()["party_branch"] == "Branch 3"


async def test_emergency_contacts_are_kept_in_order_and_capped_at_five(
    api: IdentityApi, district: District
):
    resident = await api.register(district, living_alone=True)
    url = f"/v1/people/{resident.id}/emergency-contacts"
    contacts = [
        {
            "name": "Daughter",
            "relation": "daughter",
            "phone": "+86 138 0000 0001",
            "preferred_channel": "voice",
        },
        {"name": "Neighbour", "relation": "neighbour", "phone": "13800000002"},
    ]
    put = await api.call(
        "PUT", url, json={"contacts": contacts}, headers=resident.headers, expect=200
    )
    expected = [
        {
            "position": 1,
            "name": "Daughter",
            "relation": "daughter",
            "phone": "+8613800000001",
            "preferred_channel": "voice",
        },
        {
            "position": 2,
            "name": "Neighbour",
            "relation": "neighbour",
            "phone": "13800000002",
            "preferred_channel": "sms",
        },
    ]
    assert put.json() == expected
    assert (await api.call("GET", url, headers=resident.headers, expect=200)).json() == expected

    # Replacing reorders; the community worker reads them too.
    reordered = {"contacts": list(reversed(contacts))}
    await api.call("PUT", url, json=reordered, headers=resident.headers, expect=200)
    leader = await api.staff(district, district.admin, [("grid_leader", new_unit())])
    read = (await api.call("GET", url, headers=leader.headers, expect=200)).json()
    assert [c["name"] for c in read] == ["Neighbour", "Daughter"]
    assert [c["position"] for c in read] == [1, 2]

    six = {"contacts": [{**contacts[1], "phone": f"1380000001{i}"} for i in range(6)]}
    too_many = await api.call("PUT", url, json=six, headers=resident.headers, expect=422)
    assert any(field.endswith("contacts") for field in problem_fields(too_many))
    bad_phone = {"contacts": [{**contacts[0], "phone": "call my daughter"}]}
    answer = await api.call("PUT", url, json=bad_phone, headers=resident.headers, expect=422)
    assert problem_fields(answer) == ["contacts.0.phone"]
    assert len((await api.call("GET", url, headers=resident.headers, expect=200)).json()) == 2

    # Another resident neither reads nor writes them.
    stranger = await api.register(district)
    await api.call("GET", url, headers=stranger.headers, expect=404)
    await api.call("PUT", url, json={"contacts": []}, headers=stranger.headers, expect=404)


async def bind(
    api: IdentityApi, by: Member, person_id: str, device_id: str, expect: int = 201
) -> dict:
    answer = await api.call(
        "POST",
        f"/v1/people/{person_id}/devices",
        json={"device_id": device_id},
        headers=by.headers,
        expect=expect,
    )
    return dict(answer.json())


async def test_alert_device_is_bound_once_and_presses_are_checked_by_signature(
    api: IdentityApi, district: District, ctx, app
):
    elder = await api.register(district, living_alone=True)
    device_id = f"btn-{elder.id[:8]}"
    bound = await bind(api, district.admin, elder.id, device_id)
    assert (bound["device_id"], bound["person_id"]) == (device_id, elder.id)
    secret = bound["secret"]
    assert len(secret) == 64

    again = await api.call(
        "POST",
        f"/v1/people/{elder.id}/devices",
        json={"device_id": device_id},
        headers=district.admin.headers,
        expect=409,
    )
    assert problem_fields(again) == ["device_id"]
    assert "secret" not in again.text

    payload = b'{"pressed_at":"2026-01-05T08:00:00Z","battery":81}'
    admin = await principal_of(app, district.admin)
    resolved = await resolve_device(
        ctx, admin, device_id, device_signature(secret, payload), payload
    )
    assert (str(resolved.tenant_id), str(resolved.person_id)) == (district.id, elder.id)
    # Signatures are hex; case does not matter.
    await resolve_device(ctx, admin, device_id, device_signature(secret, payload).upper(), payload)

    with pytest.raises(NotAuthenticated):
        await resolve_device(
            ctx, admin, device_id, device_signature("not-the-secret", payload), payload
        )
    with pytest.raises(NotAuthenticated):
        await resolve_device(
            ctx, admin, device_id, device_signature(secret, payload), payload + b" "
        )
    with pytest.raises(NotFound):
        await resolve_device(ctx, admin, "btn-unknown", device_signature(secret, payload), payload)


async def test_device_ids_are_unique_across_districts_and_residents_bind_only_their_own(
    api: IdentityApi, district: District
):
    elder = await api.register(district)
    neighbour = await api.register(district)
    await bind(api, neighbour, elder.id, f"dev-{elder.id[:8]}", expect=404)
    own = await bind(api, elder, elder.id, f"dev-{elder.id[:8]}")
    assert own["person_id"] == elder.id
    other = await api.district()
    someone = await api.register(other)
    await bind(api, other.admin, someone.id, f"dev-{elder.id[:8]}", expect=409)


async def test_registration_normalises_and_validates_phone(api: IdentityApi, district: District):
    answer = await api.call(
        "POST",
        "/v1/residents",
        json={
            "tenant": district.slug,
            "display_name": "x",
            "phone": "not a phone",
            "password": "long-enough-pw",
        },
        expect=422,
    )
    assert problem_fields(answer) == ["phone"]
    phone = unique_phone()
    ok = await api.call(
        "POST",
        "/v1/residents",
        json={
            "tenant": district.slug,
            "display_name": "x",
            "phone": f"({phone[:6]}) {phone[6:]}",
            "password": "long-enough-pw",
        },
        expect=201,
    )
    assert ok.json()["phone"] == phone


async def test_clearing_a_required_flag_is_refused_naming_that_field(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    answer = await api.call(
        "PATCH",
        f"/v1/people/{resident.id}",
        json={"living_alone": None},
        headers=district.admin.headers,
    )
    assert answer.status_code == 422, answer.text
    assert any(field.endswith("living_alone") for field in problem_fields(answer))
