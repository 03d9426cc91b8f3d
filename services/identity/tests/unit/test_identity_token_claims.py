"""Access tokens issued for a person decode, through the platform verifier, to the Principal
every service will act on: tenant-wide roles versus roles held at units."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

import pytest

from civicgrid_identity.db.people_repo import BindingRecord
from civicgrid_identity.usecases.context import IdentityContext, TokenPolicy
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.tokens import access_token_for_person, token_hash
from civicgrid_platform.auth import (
    InvalidToken,
    JwksCache,
    SigningKey,
    TokenVerifier,
    generate_signing_key,
    jwks_document,
)

ISSUER = "https://identity.civicgrid.test"
AUDIENCE = "civicgrid"
TENANT = uuid.UUID("6f1c1f0e-8d7a-4c43-9a34-2f6d9b0c1a11")
PERSON = uuid.UUID("0c9a3d55-41a6-4d6e-8f6e-5b7b1d2f3e44")
GRID, BUILDING = uuid.uuid4(), uuid.uuid4()


@cache
def signing_key() -> SigningKey:
    return generate_signing_key()


class FakeKeyRing:
    """The one port access_token_for_person uses: the key to sign with."""

    async def signing_key(self) -> SigningKey:
        return signing_key()


def context(
    now: datetime | None = None, access_ttl: timedelta = timedelta(minutes=15)
) -> IdentityContext:
    unused: Any = None  # ports these use cases never touch
    return IdentityContext(
        uow=unused,
        passwords=unused,
        tokens=TokenPolicy(issuer=ISSUER, audience=AUDIENCE, access_ttl=access_ttl),
        device_sealer=unused,
        key_sealer=unused,
        clock=(lambda: now) if now else (lambda: datetime.now(UTC)),
    )


def verifier() -> TokenVerifier:
    return TokenVerifier(
        JwksCache.from_static(jwks_document([signing_key()])), issuer=ISSUER, audience=AUDIENCE
    )


def binding(role: str, unit: uuid.UUID | None) -> BindingRecord:
    return BindingRecord(uuid.uuid4(), PERSON, role, unit, "tester", datetime.now(UTC))


async def issue(bindings: list[BindingRecord], **ctx: Any) -> str:
    return await access_token_for_person(
        context(**ctx), cast(KeyRing, FakeKeyRing()), TENANT, PERSON, bindings
    )


async def test_tenant_wide_roles_and_unit_bindings_decode_to_the_right_principal():
    token = await issue(
        [binding("resident", None), binding("grid_leader", GRID), binding("grid_leader", BUILDING)]
    )
    principal = await verifier().verify(token)

    assert (principal.subject, principal.tenant_id, principal.kind) == (
        str(PERSON),
        str(TENANT),
        "person",
    )
    assert principal.roles == frozenset({"resident", "grid_leader"})
    assert principal.scopes == frozenset()
    # resident is held across the whole district; grid_leader only at its two units.
    assert principal.holds_tenant_wide("resident")
    assert not principal.holds_tenant_wide("grid_leader")
    assert principal.units_for("grid_leader") == frozenset({str(GRID), str(BUILDING)})
    assert principal.units_for("resident") == frozenset({None})
    assert not principal.is_platform_admin
    assert not principal.has_role("tenant_admin", "volunteer")


async def test_platform_admin_is_recognised():
    principal = await verifier().verify(await issue([binding("platform_admin", None)]))
    assert principal.is_platform_admin
    assert principal.holds_tenant_wide("platform_admin")


async def test_a_person_without_roles_gets_an_empty_but_valid_principal():
    principal = await verifier().verify(await issue([]))
    assert principal.roles == frozenset()
    assert principal.bindings == ()


async def test_lifetime_and_issue_time_follow_the_policy_and_the_clock():
    now = datetime.now(UTC).replace(microsecond=0)
    principal = await verifier().verify(await issue([], now=now, access_ttl=timedelta(minutes=5)))
    assert principal.expires_at == now + timedelta(minutes=5)


async def test_a_token_issued_by_a_clock_far_in_the_past_is_expired():
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    with pytest.raises(InvalidToken, match="expired"):
        await verifier().verify(await issue([], now=long_ago))


async def test_every_token_has_its_own_id():
    first, second = await issue([]), await issue([])
    assert (await verifier().verify(first)).token_id != (await verifier().verify(second)).token_id


def test_refresh_tokens_are_stored_by_a_sha256_of_the_token_only():
    hashed = token_hash("rt_secret")
    assert len(hashed) == 64
    assert "secret" not in hashed
    assert hashed == token_hash("rt_secret") != token_hash("rt_secret2")
