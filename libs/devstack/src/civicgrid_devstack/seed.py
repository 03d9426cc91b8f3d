"""The demo district, created through the public API so `make run` exercises what users use.

Idempotent: a second `make run` finds the accounts (login works) and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from civicgrid_devstack.seed_notifications import seed_notifications
from civicgrid_devstack.seed_volunteers import first_grid_point, seed_volunteers

DEMO_TENANT = "demo-district"
PLATFORM_ADMIN = "platform@civicgrid.org"
DEMO_DEVICE = "demo-button-0001"

# Dev-only demo credentials, printed by `make run` and written to .run/demo.json.
ACCOUNTS: list[dict[str, Any]] = [
    {
        "username": "admin@demo.civicgrid.org",
        "password": "demo-admin-pass",
        "role": "tenant_admin",
        "display_name": "演示区管理员",
        "unit_id": None,
    },
    {
        "username": "leader@demo.civicgrid.org",
        "password": "demo-leader-pass",
        "role": "grid_leader",
        "display_name": "网格长 王芳",
        "unit_id": None,  # the seed binds the leader at the first grid of the imported district
    },
    {
        "username": "resident@demo.civicgrid.org",
        "password": "demo-resident-pass",
        "role": "resident",
        "display_name": "居民 李明",
    },
    {
        "username": "13800000001",
        "password": "demo-elder-pass",
        "role": "resident",
        "display_name": "独居老人 张秀英",
        "living_alone": True,
    },
]
CONTACTS = [
    {"name": "张伟", "relation": "son", "phone": "13900000002", "preferred_channel": "voice"},
    {"name": "张丽", "relation": "daughter", "phone": "13900000003", "preferred_channel": "sms"},
]


class SeedError(RuntimeError):
    pass


def _previous_demo(demo_file: Path) -> dict[str, Any]:
    """What the last run wrote: the device secret is shown only once, so it is kept from there."""
    return json.loads(demo_file.read_text()) if demo_file.exists() else {}


def _ok(response: httpx.Response, *allowed: int) -> Any:
    if response.status_code not in allowed:
        raise SeedError(
            f"{response.request.method} {response.request.url} -> "
            f"{response.status_code}: {response.text}"
        )
    return response.json() if response.content else {}


async def _login(
    client: httpx.AsyncClient, tenant: str, username: str, password: str
) -> dict[str, Any] | None:
    r = await client.post(
        "/api/identity/v1/auth/login",
        json={"tenant": tenant, "username": username, "password": password},
    )
    return r.json() if r.status_code == 200 else None


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def seed_demo(
    entry: str, demo_file: Path, district_file: Path, *, platform_admin_password: str
) -> dict[str, Any]:
    previous = _previous_demo(demo_file)
    async with httpx.AsyncClient(base_url=entry, timeout=300) as client:
        root = await _login(client, "platform", PLATFORM_ADMIN, platform_admin_password)
        if root is None:
            raise SeedError(
                "the platform admin cannot log in; was identity migrated with --bootstrap-admin?"
            )
        created = await client.post(
            "/api/identity/v1/tenants",
            json={
                "slug": DEMO_TENANT,
                "name": "演示区",
                "city": "示范市",
                "timezone": "Asia/Shanghai",
                "locale": "zh-CN",
            },
            headers=_bearer(root),
        )
        _ok(created, 201, 409)
        tenant = _ok(
            await client.get(
                f"/api/identity/v1/tenants/by-slug/{DEMO_TENANT}", headers=_bearer(root)
            ),
            200,
        )

        admin_spec = ACCOUNTS[0]
        admin = await _login(client, DEMO_TENANT, admin_spec["username"], admin_spec["password"])
        if admin is None:
            await _invite(client, root, tenant["id"], admin_spec)
            admin = await _login(
                client, DEMO_TENANT, admin_spec["username"], admin_spec["password"]
            )
        assert admin is not None
        units = await _district(client, admin, district_file)
        await _invite_or_login(
            client, admin, tenant["id"], {**ACCOUNTS[1], "unit_id": units["grid"]}
        )
        resident = await _register_or_login(client, ACCOUNTS[2])
        elder = await _register_or_login(client, ACCOUNTS[3])
        me = _ok(await client.get("/api/identity/v1/me", headers=_bearer(elder)), 200)
        _ok(
            await client.put(
                f"/api/identity/v1/people/{me['id']}/emergency-contacts",
                json={"contacts": CONTACTS},
                headers=_bearer(admin),
            ),
            200,
        )
        bound = await client.post(
            f"/api/identity/v1/people/{me['id']}/devices",
            json={"device_id": DEMO_DEVICE},
            headers=_bearer(admin),
        )
        device_secret = _ok(bound, 201, 409).get("secret") or previous.get("alert_device", {}).get(
            "secret"
        )
        open311 = await _open311(client, admin, entry, units["grid"], previous.get("open311", {}))
        point = await asyncio.to_thread(first_grid_point, district_file)
        volunteers = await seed_volunteers(client, _bearer(admin), _bearer(resident), point, units)
        notifications = await seed_notifications(
            client, _bearer(admin), me, DEMO_DEVICE, point, units
        )

    return {
        "tenant": DEMO_TENANT,
        "tenant_id": tenant["id"],
        "accounts": [
            {
                "username": PLATFORM_ADMIN,
                "password": platform_admin_password,
                "role": "platform_admin",
                "tenant": "platform",
            },
            *(
                {
                    "username": a["username"],
                    "password": a["password"],
                    "role": a["role"],
                    "tenant": DEMO_TENANT,
                }
                for a in ACCOUNTS
            ),
        ],
        "units": units,
        "alert_device": {"device_id": DEMO_DEVICE, "person_id": me["id"], "secret": device_secret},
        "open311": open311,
        "volunteers": volunteers,
        "notifications": notifications,
    }


async def _open311(
    client: httpx.AsyncClient,
    admin: dict[str, Any],
    entry: str,
    grid_id: str,
    previous: dict[str, Any],
) -> dict[str, Any]:
    """An integrator client with the open311 scope (kept from the last run while it works), and
    a point inside the demo grid to report at."""
    api_key = previous.get("api_key")
    if api_key and not await _key_works(client, api_key):
        api_key = None
    if api_key is None:
        made = _ok(
            await client.post(
                "/api/identity/v1/clients",
                json={"name": "Open311 demo integrator", "scopes": ["open311"]},
                headers=_bearer(admin),
            ),
            201,
        )
        api_key = f"{made['client_id']}:{made['client_secret']}"
    grid = _ok(await client.get(f"/api/grid/v1/units/{grid_id}", headers=_bearer(admin)), 200)
    ring = grid["geometry"]["coordinates"][0][:-1]  # the demo's grids are convex: the mean of
    lon = sum(p[0] for p in ring) / len(ring)  # their corners lies inside
    lat = sum(p[1] for p in ring) / len(ring)
    return {
        "base": f"{entry}/api/tickets/open311/v2/",
        "jurisdiction_id": DEMO_TENANT,
        "api_key": api_key,
        "lat": lat,
        "long": lon,
    }


async def _key_works(client: httpx.AsyncClient, api_key: str) -> bool:
    client_id, _, secret = api_key.partition(":")
    answer = await client.post(
        "/api/identity/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "open311",
        },
    )
    return answer.status_code == 200


async def _district(
    client: httpx.AsyncClient, admin: dict[str, Any], district_file: Path
) -> dict[str, str]:
    """Import the synthetic district once, with its departments; the ids of the demo's units."""
    demo = json.loads(await asyncio.to_thread(district_file.read_text))
    features = demo["district"]["features"]
    district_code = next(
        f["properties"]["code"] for f in features if f["properties"]["kind"] == "district"
    )
    first_grid = min(f["properties"]["code"] for f in features if f["properties"]["kind"] == "grid")
    found = _ok(
        await client.get(
            "/api/grid/v1/units",
            params={"query": district_code, "kind": "district"},
            headers=_bearer(admin),
        ),
        200,
    )
    if not found:
        _ok(
            await client.post(
                "/api/grid/v1/districts/import", json=demo["district"], headers=_bearer(admin)
            ),
            200,
        )
        for department in demo["departments"]:
            _ok(
                await client.post(
                    "/api/grid/v1/departments",
                    headers=_bearer(admin),
                    json={
                        "name": department["name"],
                        "contact": department["phone"],
                        "categories": department["categories"],
                    },
                ),
                201,
            )
    grid = _ok(
        await client.get(
            "/api/grid/v1/units",
            params={"query": first_grid, "kind": "grid"},
            headers=_bearer(admin),
        ),
        200,
    )[0]
    chain = _ok(
        await client.get(f"/api/grid/v1/units/{grid['id']}/ancestors", headers=_bearer(admin)), 200
    )
    by_kind = {u["kind"]: u["id"] for u in chain}
    return {
        "district": by_kind["district"],
        "street": by_kind["street"],
        "community": by_kind["community"],
        "grid": grid["id"],
    }


async def _invite(
    client: httpx.AsyncClient, inviter: dict[str, Any], tenant_id: str, spec: dict[str, Any]
) -> None:
    invitation = _ok(
        await client.post(
            f"/api/identity/v1/tenants/{tenant_id}/invitations",
            json={
                "display_name": spec["display_name"],
                "email": spec["username"],
                "roles": [{"role": spec["role"], "unit_id": spec["unit_id"]}],
            },
            headers=_bearer(inviter),
        ),
        201,
    )
    _ok(
        await client.post(
            "/api/identity/v1/invitations/accept",
            json={
                "tenant": DEMO_TENANT,
                "code": invitation["invitation_code"],
                "password": spec["password"],
            },
        ),
        200,
    )


async def _invite_or_login(
    client: httpx.AsyncClient, inviter: dict[str, Any], tenant_id: str, spec: dict[str, Any]
) -> dict[str, Any]:
    tokens = await _login(client, DEMO_TENANT, spec["username"], spec["password"])
    if tokens is None:
        await _invite(client, inviter, tenant_id, spec)
        tokens = await _login(client, DEMO_TENANT, spec["username"], spec["password"])
    assert tokens is not None
    return tokens


async def _register_or_login(client: httpx.AsyncClient, spec: dict[str, Any]) -> dict[str, Any]:
    tokens = await _login(client, DEMO_TENANT, spec["username"], spec["password"])
    if tokens is None:
        contact = (
            {"email": spec["username"]} if "@" in spec["username"] else {"phone": spec["username"]}
        )
        _ok(
            await client.post(
                "/api/identity/v1/residents",
                json={
                    "tenant": DEMO_TENANT,
                    "display_name": spec["display_name"],
                    "password": spec["password"],
                    "living_alone": spec.get("living_alone", False),
                    **contact,
                },
            ),
            201,
        )
        tokens = await _login(client, DEMO_TENANT, spec["username"], spec["password"])
    assert tokens is not None
    return tokens
