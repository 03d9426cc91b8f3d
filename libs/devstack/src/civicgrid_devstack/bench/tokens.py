"""Token verification in process, on one core (one thread, one event loop)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from civicgrid_devstack.bench.report import Figure
from civicgrid_platform.auth import (
    JwksCache,
    TokenVerifier,
    build_claims,
    generate_signing_key,
    jwks_document,
)

ISSUER, AUDIENCE = "https://bench/identity", "civicgrid"


async def bench_token_verification(seconds: float = 3.0) -> list[Figure]:
    key = generate_signing_key()
    jwks = JwksCache.from_static(jwks_document([key]))
    tokens = [
        key.sign(
            build_claims(
                issuer=ISSUER,
                audience=AUDIENCE,
                subject=str(uuid.uuid4()),
                tenant_id=str(uuid.uuid4()),
                kind="person",
                lifetime=timedelta(minutes=15),
                bindings=[("grid_leader", str(uuid.uuid4()))],
            )
        )
        for _ in range(2000)
    ]
    figures = []
    for label, cache in (
        ("signature checked every time", 0),
        ("repeat tokens, verified-token cache", 4096),
    ):
        verifier = TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, verified_cache_size=cache)
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for token in tokens[:500]:
                await verifier.verify(token)
            count += 500
        rate = count / (time.perf_counter() - started)
        figures.append(
            Figure("token verification", f"{rate:,.0f}/s", ">= 20,000/s", f"RS256 2048, {label}")
        )
    return figures
