"""Residents register and sign in; refresh tokens rotate with reuse detection; lockout."""

from __future__ import annotations

import pytest

from civicgrid_identity.bootstrap import build
from services.identity.tests.identity_support import (
    PASSWORD,
    Clock,
    District,
    IdentityApi,
    asgi_client,
    bearer,
    jwt_part,
    make_app,
    problem_fields,
    unique_phone,
)

pytestmark = pytest.mark.integration


async def test_resident_registers_signs_in_and_reads_their_profile(
    api: IdentityApi, district: District
):
    phone = unique_phone()
    body = {
        "tenant": district.slug,
        "display_name": "  Wang Fang ",
        "phone": f"{phone[:6]} {phone[6:10]}-{phone[10:]}",
        "email": "Wang.Fang@Example.org",
        "password": PASSWORD,
        "locale": "zh-CN",
        "living_alone": True,
    }
    registered = await api.call("POST", "/v1/residents", json=body, expect=201)
    person = registered.json()
    assert person["phone"] == phone  # normalised
    assert person["email"] == "wang.fang@example.org"
    assert person["display_name"] == "Wang Fang"
    assert person["status"] == "active"
    assert person["tenant_id"] == district.id

    # Either login name works: the phone as typed with spaces, or the email in any case.
    for username in (f"{phone[:6]} {phone[6:]}", "WANG.FANG@example.org"):
        tokens = (await api.login(district.slug, username, PASSWORD)).json()
        assert tokens["token_type"] == "Bearer"
        assert tokens["expires_in"] == 15 * 60
        assert tokens["refresh_token"].startswith("rt_")
        me = await api.call("GET", "/v1/me", headers=bearer(tokens["access_token"]), expect=200)
        assert me.json()["id"] == person["id"]
        assert me.json()["phone"] == phone  # a person sees their own number in full
        assert [r["role"] for r in me.json()["roles"]] == ["resident"]


async def test_wrong_password_unknown_user_and_unknown_district_look_the_same(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    answers = [
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401),
        await api.login(district.slug, unique_phone(), PASSWORD, expect=401),
        await api.login("no-such-district", resident.username, PASSWORD, expect=401),
    ]
    assert {a.json()["detail"] for a in answers} == {"invalid username or password"}


async def test_me_needs_a_valid_token(api: IdentityApi):
    missing = await api.call("GET", "/v1/me", expect=401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    await api.call("GET", "/v1/me", headers=bearer("not.a.token"), expect=401)


async def test_registration_refuses_duplicates_and_missing_contact(
    api: IdentityApi, district: District
):
    resident = await api.register(district, email="dup@example.org")
    duplicate = {
        "tenant": district.slug,
        "display_name": "Other",
        "email": "DUP@example.org",
        "password": PASSWORD,
    }
    answer = await api.call("POST", "/v1/residents", json=duplicate, expect=409)
    assert problem_fields(answer) == ["email"]
    same_phone = {**duplicate, "email": None, "phone": resident.person["phone"]}
    answer = await api.call("POST", "/v1/residents", json=same_phone, expect=409)
    assert problem_fields(answer) == ["phone"]
    nothing = {"tenant": district.slug, "display_name": "X", "password": PASSWORD}
    answer = await api.call("POST", "/v1/residents", json=nothing, expect=422)
    assert problem_fields(answer) == ["phone"]
    short = {**nothing, "phone": unique_phone(), "password": "short"}
    answer = await api.call("POST", "/v1/residents", json=short, expect=422)
    assert problem_fields(answer) == ["body.password"]
    unknown = {**nothing, "phone": unique_phone(), "tenant": "no-such-district"}
    answer = await api.call("POST", "/v1/residents", json=unknown, expect=404)
    assert problem_fields(answer) == ["tenant"]


async def test_refresh_rotates_and_reuse_of_a_spent_token_revokes_the_family(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    first_refresh = resident.refresh

    rotated = (
        await api.call(
            "POST", "/v1/auth/refresh", json={"refresh_token": first_refresh}, expect=200
        )
    ).json()
    assert rotated["refresh_token"] != first_refresh
    await api.call("GET", "/v1/me", headers=bearer(rotated["access_token"]), expect=200)

    # The spent token again (a thief, or a replayed request): refused...
    reuse = await api.call(
        "POST", "/v1/auth/refresh", json={"refresh_token": first_refresh}, expect=401
    )
    assert reuse.json()["status"] == 401
    # ...and the newer token of the same family is revoked with it.
    await api.call(
        "POST", "/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}, expect=401
    )

    # Another session of the same person is a different family and lives on.
    other = await api.sign_in(district.slug, resident)
    await api.call("POST", "/v1/auth/refresh", json={"refresh_token": other.refresh}, expect=200)


async def test_logout_revokes_the_session(api: IdentityApi, district: District):
    resident = await api.register(district)
    rotated = (
        await api.call(
            "POST", "/v1/auth/refresh", json={"refresh_token": resident.refresh}, expect=200
        )
    ).json()

    await api.call(
        "POST", "/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]}, expect=204
    )
    await api.call(
        "POST", "/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}, expect=401
    )
    # Logging out twice, or with an unknown token, is harmless.
    await api.call(
        "POST", "/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]}, expect=204
    )
    await api.call(
        "POST", "/v1/auth/logout", json={"refresh_token": "rt_never-issued-token"}, expect=204
    )


async def test_refresh_token_expires(api: IdentityApi, district: District, clock: Clock):
    resident = await api.register(district)
    clock.advance(days=30, seconds=1)
    await api.call("POST", "/v1/auth/refresh", json={"refresh_token": resident.refresh}, expect=401)


async def test_refreshed_access_token_carries_roles_granted_since_login(
    api: IdentityApi, district: District
):
    resident = await api.register(district)
    await api.grant(district.admin, resident.id, "volunteer", None)
    assert jwt_part(resident.access, 1)["roles"] == ["resident"]
    rotated = (
        await api.call(
            "POST", "/v1/auth/refresh", json={"refresh_token": resident.refresh}, expect=200
        )
    ).json()
    assert jwt_part(rotated["access_token"], 1)["roles"] == ["resident", "volunteer"]


async def test_disabled_person_can_neither_log_in_nor_refresh(api: IdentityApi, district: District):
    resident = await api.register(district)
    await api.call(
        "PATCH",
        f"/v1/people/{resident.id}",
        json={"status": "disabled"},
        headers=district.admin.headers,
        expect=200,
    )
    await api.login(district.slug, resident.username, PASSWORD, expect=401)
    await api.call("POST", "/v1/auth/refresh", json={"refresh_token": resident.refresh}, expect=401)


async def test_five_failures_lock_the_account_until_the_lock_time_passes(
    api: IdentityApi, district: District, clock: Clock
):
    resident = await api.register(district)
    for _ in range(5):
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401)

    # Locked: even the right password is turned away, with a hint when to come back.
    locked = await api.login(district.slug, resident.username, PASSWORD, expect=429)
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert locked.headers["content-type"].startswith("application/problem+json")
    # Other accounts are not affected.
    neighbour = await api.register(district)
    await api.login(district.slug, neighbour.username, PASSWORD, expect=200)

    clock.advance(minutes=14)
    await api.login(district.slug, resident.username, PASSWORD, expect=429)
    clock.advance(minutes=1, seconds=1)
    await api.login(district.slug, resident.username, PASSWORD, expect=200)


async def test_failures_spread_beyond_the_window_do_not_lock(
    api: IdentityApi, district: District, clock: Clock
):
    resident = await api.register(district)
    for _ in range(4):
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401)
    clock.advance(minutes=16)
    for _ in range(4):
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401)
    await api.login(district.slug, resident.username, PASSWORD, expect=200)


async def test_a_success_clears_the_account_failures(api: IdentityApi, district: District):
    resident = await api.register(district)
    for _ in range(4):
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401)
    await api.login(district.slug, resident.username, PASSWORD, expect=200)
    for _ in range(4):
        await api.login(district.slug, resident.username, "wrong-password-1", expect=401)
    await api.login(district.slug, resident.username, PASSWORD, expect=200)


async def test_one_source_guessing_many_accounts_is_throttled(
    app, api: IdentityApi, district: District
):
    victim = await api.register(district)
    async with asgi_client(app, peer="203.0.113.7") as attacker:
        for i in range(30):
            body = {"tenant": district.slug, "username": f"guess{i}@example.org", "password": "x"}
            assert (await attacker.post("/v1/auth/login", json=body)).status_code == 401
        # The 31st try from that address is throttled, even with a right password.
        right = {"tenant": district.slug, "username": victim.username, "password": PASSWORD}
        throttled = await attacker.post("/v1/auth/login", json=right)
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) > 0
    # The person themselves, from their own address, still gets in.
    async with asgi_client(app, peer="198.51.100.20") as own:
        right = {"tenant": district.slug, "username": victim.username, "password": PASSWORD}
        assert (await own.post("/v1/auth/login", json=right)).status_code == 200


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    app, api: IdentityApi, district: District
):
    app.state.trusted_proxy_hosts = frozenset({"10.0.0.2"})
    async with asgi_client(app, peer="198.51.100.99") as direct:
        for i in range(30):
            body = {"tenant": district.slug, "username": f"g{i}@example.org", "password": "x"}
            # Spoofing a new X-Forwarded-For each time does not escape the per-source throttle.
            headers = {"X-Forwarded-For": f"192.0.2.{i}"}
            assert (
                await direct.post("/v1/auth/login", json=body, headers=headers)
            ).status_code == 401
        body = {"tenant": district.slug, "username": "g99@example.org", "password": "x"}
        assert (
            await direct.post(
                "/v1/auth/login", json=body, headers={"X-Forwarded-For": "192.0.2.200"}
            )
        ).status_code == 429

    async with asgi_client(app, peer="10.0.0.2") as proxy:
        # Behind the ingress each client is counted by its own (first) forwarded address.
        def via(client_ip: str) -> dict[str, str]:
            return {"X-Forwarded-For": f"{client_ip}, 10.0.0.2"}

        for i in range(30):
            body = {"tenant": district.slug, "username": f"p{i}@example.org", "password": "x"}
            assert (
                await proxy.post("/v1/auth/login", json=body, headers=via("192.0.2.50"))
            ).status_code == 401
        body = {"tenant": district.slug, "username": "p99@example.org", "password": "x"}
        assert (
            await proxy.post("/v1/auth/login", json=body, headers=via("192.0.2.50"))
        ).status_code == 429
        assert (
            await proxy.post("/v1/auth/login", json=body, headers=via("192.0.2.51"))
        ).status_code == 401


async def test_a_username_that_grows_when_lower_cased_is_still_just_a_failed_login(
    api: IdentityApi, district: District
):
    username = "@" + "İ" * 253
    answer = await api.login(district.slug, username, "whatever-password", expect=None)
    assert answer.status_code == 401, answer.text


async def test_registration_and_login_with_the_production_password_hashing(
    identity_settings, district: District, sql
):
    """Every other test hashes cheaply; this one runs the real argon2id parameters end to end."""
    production = build(identity_settings)  # no override: PasswordPolicy() as in production
    handle = make_app(production, production.ctx, production.keyring)
    try:
        async with asgi_client(handle.app) as client:
            real = IdentityApi(client, production.ctx)
            resident = await real.register(district)
            await real.login(district.slug, resident.username, "wrong-password-1", expect=401)
            await real.call("GET", "/v1/me", headers=resident.headers, expect=200)
    finally:
        await handle.aclose()
        await production.aclose()

    conn = await sql.connect(as_owner=False)
    try:
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", district.id)
        stored = await conn.fetchval(
            "SELECT password_hash FROM people WHERE id = $1::uuid", resident.id
        )
    finally:
        await conn.close()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
