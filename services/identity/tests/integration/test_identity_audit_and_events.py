"""The security audit log a tenant admin reads, and the events identity announces through the
transactional outbox (written in the same transaction as the change, or not at all)."""

from __future__ import annotations

import pytest

from civicgrid.identity.v1 import events_pb2
from services.identity.tests.identity_support import (
    PASSWORD,
    District,
    IdentityApi,
    Sql,
    new_unit,
)

pytestmark = pytest.mark.integration

TYPE = "civicgrid.identity.v1."


async def audit(api: IdentityApi, district: District) -> list[dict]:
    entries: list[dict] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (
            await api.call(
                "GET", "/v1/audit", headers=district.admin.headers, params=params, expect=200
            )
        ).json()
        entries += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return entries


async def test_audit_log_records_logins_lockouts_and_grants(api: IdentityApi, district: District):
    resident = await api.register(district)
    for _ in range(5):
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401)
    other = await api.register(district)
    unit = new_unit()
    await api.grant(district.admin, other.id, "grid_leader", unit)

    entries = await audit(api, district)
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)  # newest first, paged without gaps or repeats
    assert len(set(ids)) == len(ids)
    actions = [e["action"] for e in entries]
    assert actions.count("login.failed") == 5
    assert actions.count("login.locked") == 1

    failed = next(e for e in entries if e["action"] == "login.failed")
    assert (failed["actor"], failed["subject"], failed["source"]) == (
        resident.id,
        resident.username,
        "127.0.0.1",
    )
    succeeded = {e["actor"] for e in entries if e["action"] == "login.succeeded"}
    assert {resident.id, other.id, district.admin.id} <= succeeded
    granted = [e for e in entries if e["action"] == "role.granted"]
    assert {
        "actor": district.admin.id,
        "subject": other.id,
        "role": "grid_leader",
        "unit_id": str(unit),
    } in [{"actor": e["actor"], "subject": e["subject"], **e["details"]} for e in granted]


async def test_audit_log_is_for_admins_and_for_their_own_district(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    await api.call("GET", "/v1/audit", headers=resident.headers, expect=403)
    other = await api.district()
    await api.login(other.slug, "nobody@example.org", PASSWORD, expect=401)
    mine = await audit(api, district)
    assert "nobody@example.org" not in {e["subject"] for e in mine}


async def test_changes_and_their_events_commit_together(
    api: IdentityApi, district: District, sql: Sql
):
    types = await sql.outbox_types(district.id)
    # The district and its invited admin (with the role granted in the same transaction).
    assert types == [TYPE + "tenant.created", TYPE + "person.registered", TYPE + "role.granted"]

    rows = await sql.outbox(district.id)
    created = rows[0]
    assert created["key"] == district.id
    assert created["headers"]["ce_tenantid"] == district.id
    assert created["headers"]["ce_source"] == "/civicgrid/identity"
    assert created["headers"]["ce_dataschema"] == "civicgrid.identity.v1.TenantCreated"
    assert events_pb2.TenantCreated.FromString(created["payload"]).slug == district.slug

    resident = await api.register(district)
    unit = new_unit()
    await api.grant(district.admin, resident.id, "grid_leader", unit)
    rows = (await sql.outbox(district.id))[3:]
    assert [r["headers"]["ce_type"] for r in rows] == [
        TYPE + "person.registered",
        TYPE + "role.granted",
    ]
    assert {r["key"] for r in rows} == {resident.id}
    registered = events_pb2.PersonRegistered.FromString(rows[0]["payload"])
    assert (registered.person_id, registered.invited) == (resident.id, False)
    granted = events_pb2.RoleGranted.FromString(rows[1]["payload"])
    assert (granted.binding.role, granted.binding.unit_id, granted.granted_by) == (
        "grid_leader",
        str(unit),
        district.admin.id,
    )


async def test_a_refused_request_leaves_no_event(api: IdentityApi, district: District, sql: Sql):
    resident = await api.register(district, email="taken@example.org")
    before = await sql.outbox(district.id)

    duplicate = {
        "tenant": district.slug,
        "display_name": "Twin",
        "email": "taken@example.org",
        "password": PASSWORD,
    }
    await api.call("POST", "/v1/residents", json=duplicate, expect=409)
    await api.invite(
        district.id, district.admin, [("grid_leader", new_unit()), ("mayor", None)], expect=422
    )
    await api.grant(resident, resident.id, "grid_leader", None, expect=403)

    assert await sql.outbox(district.id) == before
