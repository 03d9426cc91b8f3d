"""Helpers shared by grid's tests: tokens signed by a test key the app is told to trust."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt

from civicgrid_platform.auth import (
    Principal,
    build_claims,
    generate_signing_key,
    principal_from_claims,
)

ISSUER, AUDIENCE = "https://identity.test", "civicgrid"
KEY = generate_signing_key()


def bearer(tenant_id: str, *roles: str, subject: str | None = None) -> dict[str, str]:
    claims = build_claims(
        issuer=ISSUER,
        audience=AUDIENCE,
        subject=subject or str(uuid.uuid4()),
        tenant_id=tenant_id,
        kind="person",
        lifetime=timedelta(minutes=10),
        roles=roles,
    )
    return {"Authorization": f"Bearer {KEY.sign(claims)}"}


def admin_principal(tenant_id: str) -> Principal:
    """A tenant admin as the use cases see one, for calling them without an edge."""
    token = bearer(tenant_id, "tenant_admin")["Authorization"].split()[1]
    return principal_from_claims(jwt.decode(token, options={"verify_signature": False}))
