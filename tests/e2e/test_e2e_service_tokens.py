"""A platform service acting in one district at a time, across processes: identity (with a
service client in its settings) and volunteers run for real; notifications' adapters, with
TenantTokens, ask them what the alert chain needs."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from civicgrid_devstack.services import ServiceProcess
from civicgrid_notifications.adapters.identity_directory import (
    DISTRICT_SCOPES,
    PLATFORM_SCOPES,
    IdentityDirectory,
)
from civicgrid_notifications.adapters.volunteers_finder import VolunteersFinder
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.ports import DeviceOwner
from civicgrid_platform.auth import TenantTokens
from civicgrid_platform.errors import NotAuthenticated, NotFound
from civicgrid_platform.events.retry import RetryableError
from civicgrid_testkit.processes import find_free_port
from tests.e2e.e2e_support import ADMIN_PASSWORD, district_admin, running

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SERVICE_ID = "notifications"
SERVICE_SECRET = "e2e-notifications-service-secret-0123456789"
SERVICE_SCOPES = ["tenants:act", "people:read", "people:contact", "devices:resolve"]
VOLUNTEERS_SCOPE = "volunteers:tasks"
PASSWORD = "correct-horse-1"
HOME = {"lat": 36.651, "lon": 117.001}
EVERY_HOUR = [{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)]
_phones = iter(range(13900000100, 13900000999))


@pytest.fixture(scope="module")
def identity_with_service_client(
    postgres, kafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """Identity of its own (the shared one has no service client); no consumers, so it does not
    join the shared one's consumer group."""
    clients = [
        {
            "client_id": SERVICE_ID,
            "secret": SERVICE_SECRET,
            "scopes": [*SERVICE_SCOPES, VOLUNTEERS_SCOPE],
        }
    ]
    with running(
        "identity",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        env={
            "CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "CIVICGRID_SERVICE_CLIENTS": json.dumps(clients),
        },
        migrate=("--bootstrap-admin",),
        components="http,grpc",
    ) as proc:
        yield proc


@pytest.fixture(scope="module")
def volunteers_trusting_it(
    identity_with_service_client: ServiceProcess,
    postgres,
    kafka,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServiceProcess]:
    with running(
        "volunteers",
        postgres,
        kafka,
        tmp_path_factory.mktemp("logs"),
        jwks_url=f"{identity_with_service_client.base_url}/.well-known/jwks.json",
        components="http,grpc",
    ) as proc:
        yield proc


@pytest.fixture
async def tokens(identity_with_service_client: ServiceProcess) -> AsyncIterator[TenantTokens]:
    tokens = TenantTokens(
        f"{identity_with_service_client.base_url}/v1/oauth/token",
        SERVICE_ID,
        SERVICE_SECRET,
        [*DISTRICT_SCOPES, VOLUNTEERS_SCOPE],
        platform_scopes=PLATFORM_SCOPES,
    )
    yield tokens
    await tokens.aclose()


@dataclass
class District:
    """A district made through identity's API, and its admin's headers."""

    http: httpx.AsyncClient
    id: uuid.UUID
    slug: str
    admin: dict[str, str]

    async def resident(self, **extra: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """A self-registered resident and their headers."""
        phone = str(next(_phones))
        body = {"tenant": self.slug, "display_name": "居民", "phone": phone, "password": PASSWORD}
        person = await self.http.post("/v1/residents", json=body | extra)
        assert person.status_code == 201, person.text
        login = await self.http.post(
            "/v1/auth/login", json={"tenant": self.slug, "username": phone, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        return person.json(), {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def grant(self, person: dict[str, Any], role: str, unit: uuid.UUID) -> None:
        granted = await self.http.post(
            f"/v1/people/{person['id']}/role-bindings",
            json={"role": role, "unit_id": str(unit)},
            headers=self.admin,
        )
        assert granted.status_code == 201, granted.text


async def _district(http: httpx.AsyncClient, prefix: str) -> District:
    slug, token = await district_admin(http, prefix)
    admin = {"Authorization": f"Bearer {token}"}
    me = await http.get("/v1/me", headers=admin)
    assert me.status_code == 200, me.text
    return District(http, uuid.UUID(me.json()["tenant_id"]), slug, admin)


async def test_e2e_service_tokens_let_the_directory_act_in_one_district(
    identity_with_service_client: ServiceProcess, tokens: TenantTokens
) -> None:
    identity = identity_with_service_client
    directory = IdentityDirectory(identity.grpc_target, tokens)
    async with httpx.AsyncClient(base_url=identity.base_url, timeout=30) as http:
        try:
            await _directory_answers(http, directory, tokens, identity.grpc_target)
        finally:
            await directory.aclose()


async def _directory_answers(
    http: httpx.AsyncClient, directory: IdentityDirectory, tokens: TenantTokens, target: str
) -> None:
    district = await _district(http, "svc_tokens")
    unit = uuid.uuid4()
    leader, _ = await district.resident(display_name="Grid leader")
    staffer, _ = await district.resident(display_name="Community staff")
    await district.grant(leader, "grid_leader", unit)
    await district.grant(leader, "community_staff", unit)
    await district.grant(staffer, "community_staff", unit)
    elder, as_elder = await district.resident(display_name="Elder", living_alone=True)
    contacts = [
        {"name": "Daughter", "relation": "daughter", "phone": "+8613800000001",
         "preferred_channel": "voice"},
        {"name": "Neighbour", "relation": "neighbour", "phone": "+8613800000002",
         "preferred_channel": "app"},
    ]  # fmt: skip
    put = await http.put(
        f"/v1/people/{elder['id']}/emergency-contacts",
        json={"contacts": contacts},
        headers=as_elder,
    )
    assert put.status_code == 200, put.text
    device_id = f"e2e-{elder['id'][:8]}"
    bound = await http.post(
        f"/v1/people/{elder['id']}/devices", json={"device_id": device_id}, headers=district.admin
    )
    assert bound.status_code == 201, bound.text

    # Role holders of two roles, each person once, with the numbers to call them on.
    holders = await directory.role_holders(
        district.id, unit, ["grid_leader", "community_staff"], include_ancestors=True
    )
    assert [(h.person_id, h.display_name, h.phone) for h in holders] == [
        (uuid.UUID(leader["id"]), "Grid leader", leader["phone"]),
        (uuid.UUID(staffer["id"]), "Community staff", staffer["phone"]),
    ]
    # Asked again within seconds (an escalation burst): answered from this process's cache; a
    # directory that keeps nothing sees a holder added meanwhile.
    newcomer, _ = await district.resident(display_name="Newcomer")
    await district.grant(newcomer, "grid_leader", unit)
    assert (
        await directory.role_holders(
            district.id, unit, ["grid_leader", "community_staff"], include_ancestors=True
        )
        == holders
    )
    forgetful = IdentityDirectory(target, tokens, holders_cache_seconds=0)
    try:
        fresh = await forgetful.role_holders(
            district.id, unit, ["grid_leader", "community_staff"], include_ancestors=True
        )
    finally:
        await forgetful.aclose()
    assert uuid.UUID(newcomer["id"]) in {h.person_id for h in fresh}

    nobody = uuid.uuid4()
    people = await directory.people(district.id, [uuid.UUID(elder["id"]), nobody])
    assert list(people) == [uuid.UUID(elder["id"])]
    assert people[uuid.UUID(elder["id"])].phone == elder["phone"]  # unmasked

    family = await directory.emergency_contacts(district.id, uuid.UUID(elder["id"]))
    assert [(c.position, c.name, c.phone, c.preferred_channel) for c in family] == [
        (1, "Daughter", "+8613800000001", Channel.VOICE),
        (2, "Neighbour", "+8613800000002", Channel.INAPP),
    ]
    again = await directory.emergency_contacts(district.id, uuid.UUID(elder["id"]))
    assert [c.id for c in again] == [c.id for c in family]  # stable while unchanged

    # A press arrives with no district: the platform-wide token finds the owner...
    payload = b"press:2026-01-05T08:00:00Z"
    signature = _hmac(bound.json()["secret"], payload)
    owner = await directory.resolve_device(device_id, signature, payload)
    assert owner == DeviceOwner(tenant_id=district.id, person_id=uuid.UUID(elder["id"]))
    # ...and refuses a press signed with the wrong secret, or from a device nobody bound.
    with pytest.raises(NotAuthenticated):
        await directory.resolve_device(device_id, _hmac("guessed", payload), payload)
    with pytest.raises(NotFound):
        await directory.resolve_device("e2e-unbound-device", signature, payload)

    # A district's token reads that district only: another district's people stay invisible.
    other = await _district(http, "svc_tokens_other")
    stranger, _ = await other.resident()
    assert await directory.people(district.id, [uuid.UUID(stranger["id"])]) == {}
    with pytest.raises(NotFound):
        await directory.emergency_contacts(district.id, uuid.UUID(stranger["id"]))
    assert list(await directory.people(other.id, [uuid.UUID(stranger["id"])])) == [
        uuid.UUID(stranger["id"])
    ]
    # A district that does not exist is refused by identity, not guessed at.
    with pytest.raises(NotFound):
        await directory.people(uuid.uuid4(), [nobody])

    # Identity away: a retryable error, so the consumer tries the event again later.
    away = IdentityDirectory(f"127.0.0.1:{find_free_port()}", tokens)
    try:
        with pytest.raises(RetryableError):
            await away.people(district.id, [nobody])
    finally:
        await away.aclose()

    # The district's admin sees in the audit log that the service acted there.
    audit = await http.get("/v1/audit", headers=district.admin, params={"limit": 50})
    assert audit.status_code == 200, audit.text
    assert {
        (e["action"], e["actor"]) for e in audit.json()["items"] if e["actor"] == SERVICE_ID
    } == {("client.tenant_token_issued", SERVICE_ID)}


async def test_e2e_service_tokens_let_the_finder_ask_volunteers_in_a_district(
    identity_with_service_client: ServiceProcess,
    volunteers_trusting_it: ServiceProcess,
    tokens: TenantTokens,
) -> None:
    finder = VolunteersFinder(volunteers_trusting_it.grpc_target, tokens)
    async with (
        httpx.AsyncClient(base_url=identity_with_service_client.base_url, timeout=30) as http,
        httpx.AsyncClient(base_url=volunteers_trusting_it.base_url, timeout=30) as volunteers,
    ):
        try:
            district = await _district(http, "svc_volunteers")
            person, as_person = await district.resident(display_name="志愿者")
            enrolled = await volunteers.post(
                "/v1/volunteers",
                json={
                    "display_name": "志愿者",
                    "home_lat": HOME["lat"],
                    "home_lon": HOME["lon"],
                    "weekly_availability": EVERY_HOUR,
                },
                headers=as_person,
            )
            assert enrolled.status_code == 201, enrolled.text

            [near] = await finder.nearest_available(district.id, 36.6505, 117.0, 5)
            assert (near.person_id, near.display_name) == (uuid.UUID(person["id"]), "志愿者")
            assert 0 < near.distance_m < 500
            # Another district's token finds nobody here.
            other = await _district(http, "svc_volunteers_other")
            assert await finder.nearest_available(other.id, 36.6505, 117.0, 5) == []
        finally:
            await finder.aclose()


def _hmac(secret: str, payload: bytes) -> str:
    """What an alert device sends: HMAC-SHA256 of the press under its secret, in hex."""
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
