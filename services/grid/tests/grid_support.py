"""Helpers shared by grid's tests: tokens signed by a test key the app is told to trust."""

from __future__ import annotations

import uuid
from datetime import timedelta

from civicgrid_platform.auth import build_claims, generate_signing_key

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
