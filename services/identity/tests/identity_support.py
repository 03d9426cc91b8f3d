"""Helpers shared by identity's integration tests (plain code; the fixtures are in conftest.py).

Import as `from services.identity.tests.identity_support import ...`.
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid_identity.api.app import create_identity_app
from civicgrid_identity.bootstrap import Identity
from civicgrid_identity.db.people_repo import PeopleRepository
from civicgrid_identity.domain.passwords import PasswordPolicy
from civicgrid_identity.settings import IdentitySettings
from civicgrid_identity.usecases.care import device_signature
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.platform_admin import PLATFORM_TENANT
from civicgrid_platform.auth import JwksCache, Principal, TokenVerifier
from civicgrid_testkit import ServiceDatabase, unique_name

SECRET_KEY = "identity-test-suite-secret-key-0123456789abcdef"
PLATFORM_ADMIN_EMAIL = "platform-admin@identity-tests.example"
PLATFORM_ADMIN_PASSWORD = "platform-admin-password-1"
BASE_URL = "http://identity"
JWKS_URL = f"{BASE_URL}/.well-known/jwks.json"
PASSWORD = "correct-horse-battery"

_serial = itertools.count(1)


def cheap_passwords() -> PasswordPolicy:
    """argon2id at the smallest cost: the same rules, a fraction of the CPU."""
    return PasswordPolicy(time_cost=1, memory_kib=1024)


def make_settings(db: ServiceDatabase, **overrides: Any) -> IdentitySettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": db.runtime_dsn,
        "database_migrate_url": db.owner_dsn,
        "database_pool_size": 5,
        "secret_key": SecretStr(SECRET_KEY),
        "jwks_url": JWKS_URL,
        "key_cache_seconds": 0,
    }
    values.update(overrides)
    return IdentitySettings(**values)


class Clock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


def asgi_client(app: FastAPI, *, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(peer, 40000)), base_url=BASE_URL
    )


@dataclass
class AppHandle:
    app: FastAPI
    jwks_client: httpx.AsyncClient

    async def aclose(self) -> None:
        await self.jwks_client.aclose()


def make_app(
    identity: Identity, ctx: IdentityContext, keyring: KeyRing, **jwks_options: Any
) -> AppHandle:
    """The identity app as production composes it, verifying tokens against its own JWKS
    (fetched from this very app over ASGITransport instead of a socket)."""
    app = create_identity_app(ctx, keyring, identity.verifier, identity.settings, identity.engine)
    jwks_client = asgi_client(app)
    app.state.token_verifier = TokenVerifier(
        JwksCache(JWKS_URL, http_client=jwks_client, **jwks_options),
        issuer=identity.settings.token_issuer,
        audience=identity.settings.token_audience,
    )
    return AppHandle(app, jwks_client)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def principal_of(app: FastAPI, member: Member) -> Principal:
    """What the app makes of the member's token: for calling a use case directly."""
    principal: Principal = await app.state.token_verifier.verify(member.access)
    return principal


def jwt_part(token: str, index: int) -> dict[str, Any]:
    """0: the JOSE header, 1: the claims (no verification: the tests look, the app checks)."""
    segment = token.split(".")[index]
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    decoded: dict[str, Any] = json.loads(raw)
    return decoded


def problem_fields(response: httpx.Response) -> list[str]:
    """The fields a problem+json answer names."""
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/problem+json"), response.text
    return [e["field"] for e in response.json().get("errors", [])]


def unique_phone() -> str:
    return f"+86139{next(_serial):08d}"


def new_unit() -> UUID:
    return uuid.uuid4()


@dataclass
class Member:
    """A person who can log in, with their latest tokens."""

    person: dict[str, Any]
    username: str
    password: str
    access: str = ""
    refresh: str = ""

    @property
    def id(self) -> str:
        return str(self.person["id"])

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access)


@dataclass
class District:
    tenant: dict[str, Any]
    admin: Member

    @property
    def id(self) -> str:
        return str(self.tenant["id"])

    @property
    def slug(self) -> str:
        return str(self.tenant["slug"])

    @property
    def city(self) -> str:
        return str(self.tenant["city"])


Roles = list[tuple[str, UUID | None]]


class IdentityApi:
    """The HTTP API as users drive it; `expect` asserts the status and shows the body if not."""

    def __init__(self, http: httpx.AsyncClient, ctx: IdentityContext) -> None:
        self.http = http
        self.ctx = ctx

    async def call(
        self, method: str, url: str, *, expect: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        response = await self.http.request(method, url, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {url}: {response.status_code} {response.text}"
            )
        return response

    async def login(
        self, tenant: str, username: str, password: str, *, expect: int | None = 200
    ) -> httpx.Response:
        body = {"tenant": tenant, "username": username, "password": password}
        return await self.call("POST", "/v1/auth/login", json=body, expect=expect)

    async def sign_in(self, tenant: str, member: Member) -> Member:
        tokens = (await self.login(tenant, member.username, member.password)).json()
        member.access, member.refresh = tokens["access_token"], tokens["refresh_token"]
        return member

    async def platform_admin(self) -> Member:
        admin = Member({}, PLATFORM_ADMIN_EMAIL, PLATFORM_ADMIN_PASSWORD)
        await self.sign_in(PLATFORM_TENANT, admin)
        admin.person = (await self.call("GET", "/v1/me", headers=admin.headers, expect=200)).json()
        return admin

    async def create_tenant(
        self, platform: Member, *, city: str | None = None, slug: str | None = None
    ) -> dict[str, Any]:
        body = {
            "slug": slug or unique_slug(),
            "name": "Test district",
            "city": city or unique_name("city"),
        }
        response = await self.call(
            "POST", "/v1/tenants", json=body, headers=platform.headers, expect=201
        )
        return dict(response.json())

    async def register(self, district: District, **overrides: Any) -> Member:
        """Self-registration of a resident, then sign-in."""
        body: dict[str, Any] = {
            "tenant": district.slug,
            "display_name": "Resident",
            "phone": unique_phone(),
            "password": PASSWORD,
        }
        body.update(overrides)
        person = (await self.call("POST", "/v1/residents", json=body, expect=201)).json()
        username = body.get("email") or person["phone"]
        return await self.sign_in(district.slug, Member(person, username, body["password"]))

    async def invite(
        self, tenant_id: str, by: Member, roles: Roles, *, expect: int | None = 201, **person: Any
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "display_name": person.pop("display_name", "Staff member"),
            "phone": person.pop("phone", unique_phone()),
            "roles": [{"role": r, "unit_id": str(u) if u else None} for r, u in roles],
            **person,
        }
        return await self.call(
            "POST",
            f"/v1/tenants/{tenant_id}/invitations",
            json=body,
            headers=by.headers,
            expect=expect,
        )

    async def accept(self, district: District, code: str) -> dict[str, Any]:
        body = {"tenant": district.slug, "code": code, "password": PASSWORD}
        response = await self.call("POST", "/v1/invitations/accept", json=body, expect=200)
        return dict(response.json())

    async def staff(self, district: District, by: Member, roles: Roles, **person: Any) -> Member:
        """Invite with roles, accept with a password, sign in."""
        invitation = (await self.invite(district.id, by, roles, **person)).json()
        accepted = await self.accept(district, invitation["invitation_code"])
        return await self.sign_in(district.slug, Member(accepted, accepted["phone"], PASSWORD))

    async def district(self, *, city: str | None = None) -> District:
        """A fresh tenant whose first tenant-wide tenant_admin the platform admin invited."""
        platform = await self.platform_admin()
        tenant = await self.create_tenant(platform, city=city)
        bare = District(tenant, platform)
        admin = await self.staff(bare, platform, [("tenant_admin", None)], display_name="Admin")
        return District(tenant, admin)

    async def grant(
        self, by: Member, person_id: str, role: str, unit: UUID | None, *, expect: int | None = 201
    ) -> httpx.Response:
        body = {"role": role, "unit_id": str(unit) if unit else None}
        return await self.call(
            "POST",
            f"/v1/people/{person_id}/role-bindings",
            json=body,
            headers=by.headers,
            expect=expect,
        )

    async def remember_ancestry(
        self, district: District, unit: UUID, ancestors: list[UUID]
    ) -> None:
        """What identity learns from grid events: a unit's ancestors, nearest first."""
        tenant_id = UUID(district.id)
        async with self.ctx.uow(tenant_id=tenant_id) as uow:
            await PeopleRepository(uow.session, tenant_id).remember_ancestry(unit, ancestors)
            await uow.commit()


def family(*names: str) -> list[dict[str, str]]:
    """Emergency contacts as the API takes them, one per name, in this order."""
    channels = ("voice", "sms", "app")
    return [
        {
            "name": name,
            "relation": "family",
            "phone": unique_phone(),
            "preferred_channel": channels[i % len(channels)],
        }
        for i, name in enumerate(names)
    ]


PRESS_PAYLOAD = b"press:2026-01-05T08:00:00Z"


def device_press(device_id: str, secret: str, *, with_family: bool) -> pb.ResolveDeviceRequest:
    """ResolveDevice as a press asks it: signed with the device's secret."""
    return pb.ResolveDeviceRequest(
        device_id=device_id,
        signature=device_signature(secret, PRESS_PAYLOAD),
        payload=PRESS_PAYLOAD,
        include_emergency_contacts=with_family,
    )


async def elder_with_device(
    api: IdentityApi, district: District, contacts: list[dict[str, str]]
) -> tuple[Member, str, str]:
    """An elder living alone with these emergency contacts and a bound alert device:
    (the elder, the device id, the device secret)."""
    elder = await api.register(district, living_alone=True)
    await api.call(
        "PUT",
        f"/v1/people/{elder.id}/emergency-contacts",
        json={"contacts": contacts},
        headers=elder.headers,
        expect=200,
    )
    device_id = f"press-{elder.id}"
    bound = await api.call(
        "POST",
        f"/v1/people/{elder.id}/devices",
        json={"device_id": device_id},
        headers=district.admin.headers,
        expect=201,
    )
    return elder, device_id, str(bound.json()["secret"])


def unique_slug() -> str:
    return unique_name("d").replace("_", "-")


class Sql:
    """Raw SQL on fresh connections, as the owner (migrations) or the runtime role (the app)."""

    def __init__(self, db: ServiceDatabase) -> None:
        self.db = db

    async def connect(self, *, as_owner: bool = True) -> asyncpg.Connection:
        return await asyncpg.connect(self.db.owner_dsn if as_owner else self.db.runtime_dsn)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await self.connect()
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def outbox(self, tenant_id: str) -> list[Mapping[str, Any]]:
        """The event_outbox rows of one tenant, oldest first (the outbox has no RLS)."""
        rows = await self.fetch(
            "SELECT key, headers, payload FROM event_outbox WHERE tenant_id = $1 ORDER BY id",
            UUID(tenant_id),
        )
        return [
            {"key": r["key"], "headers": json.loads(r["headers"]), "payload": bytes(r["payload"])}
            for r in rows
        ]

    async def outbox_types(self, tenant_id: str) -> list[str]:
        return [row["headers"]["ce_type"] for row in await self.outbox(tenant_id)]
