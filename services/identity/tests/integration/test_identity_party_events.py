"""Identity's person events carry the party category and branch, so other services (volunteers'
star rating goes by party branch) keep them without asking: a person invited as a party member
is announced with both, and changing the category through the API announces the new one."""

from __future__ import annotations

from typing import Any

import pytest

from civicgrid.identity.v1 import events_pb2
from civicgrid.identity.v1 import identity_service_pb2 as pb
from services.identity.tests.identity_support import District, IdentityApi, Sql

pytestmark = pytest.mark.integration

TYPE = "civicgrid.identity.v1."
CATEGORIES = {
    "direct": pb.PARTY_CATEGORY_DIRECT,
    "dual": pb.PARTY_CATEGORY_DUAL,
    "takeover": pb.PARTY_CATEGORY_TAKEOVER,
    "floating": pb.PARTY_CATEGORY_FLOATING,
    "focused": pb.PARTY_CATEGORY_FOCUSED,
}


async def payloads(sql: Sql, district: District, kind: str, person_id: str) -> list[bytes]:
    """The payloads of one person's `kind` events in the outbox, oldest first."""
    return [
        row["payload"]
        for row in await sql.outbox(district.id)
        if row["headers"]["ce_type"] == TYPE + kind and row["key"] == person_id
    ]


async def invite_member(api: IdentityApi, district: District, **person: Any) -> str:
    answer = await api.invite(district.id, district.admin, [], **person)
    return str(answer.json()["person"]["id"])


async def test_an_invited_party_member_is_announced_with_category_and_branch(
    api: IdentityApi, district: District, sql: Sql
) -> None:
    invited = {
        category: await invite_member(
            api,
            district,
            display_name=f"Member {category}",
            party_category=category,
            party_branch="East street branch",
        )
        for category in CATEGORIES
    }
    resident = await api.register(district, display_name="Zhao Lei")

    for category, person_id in invited.items():
        [payload] = await payloads(sql, district, "person.registered", person_id)
        message = events_pb2.PersonRegistered.FromString(payload)
        assert (message.display_name, message.invited) == (f"Member {category}", True)
        assert message.party_category == CATEGORIES[category], category
        assert message.party_branch == "East street branch"
    [payload] = await payloads(sql, district, "person.registered", resident.id)
    not_a_member = events_pb2.PersonRegistered.FromString(payload)
    assert (not_a_member.party_category, not_a_member.party_branch) == (
        pb.PARTY_CATEGORY_UNSPECIFIED,
        "",
    )


async def test_changing_the_party_category_announces_the_new_one(
    api: IdentityApi, district: District, sql: Sql
) -> None:
    person_id = await invite_member(
        api,
        district,
        display_name="Li Wei",
        party_category="direct",
        party_branch="East street branch",
    )
    url = f"/v1/people/{person_id}"
    admin = district.admin.headers

    await api.call("PATCH", url, json={"party_category": "floating"}, headers=admin, expect=200)
    await api.call("PATCH", url, json={"party_branch": "West street"}, headers=admin, expect=200)
    await api.call("PATCH", url, json={"party_category": None}, headers=admin, expect=200)

    updates = [
        events_pb2.PersonUpdated.FromString(payload)
        for payload in await payloads(sql, district, "person.updated", person_id)
    ]
    assert [
        (list(u.changed_fields), u.party_category, u.party_branch, u.display_name) for u in updates
    ] == [
        (["party_category"], pb.PARTY_CATEGORY_FLOATING, "East street branch", "Li Wei"),
        (["party_branch"], pb.PARTY_CATEGORY_FLOATING, "West street", "Li Wei"),
        (["party_category"], pb.PARTY_CATEGORY_UNSPECIFIED, "West street", "Li Wei"),
    ]
    person = await api.call("GET", url, headers=admin, expect=200)
    assert (person.json()["party_category"], person.json()["party_branch"]) == (
        None,
        "West street",
    )
