"""A JWKS document served on 127.0.0.1, so a benchmarked service trusts the bench's own key,
and access tokens signed with that key."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from civicgrid_platform.auth import build_claims, jwks_document
from civicgrid_platform.settings import PlatformSettings
from civicgrid_testkit.local_http import LocalHttpServer, Reply


class JwksServer(LocalHttpServer):
    def __init__(self, key: Any) -> None:
        body = json.dumps(jwks_document([key])).encode()
        super().__init__(lambda _request: Reply(200, body))
        self.jwks_url = self.url("/.well-known/jwks.json")


def bench_token(key: Any, tenant_id: str, subject: str, **claims: Any) -> str:
    """An hour's access token signed with the bench's key, as the service's settings expect;
    `claims` as build_claims takes them (kind, roles, scopes)."""
    settings = PlatformSettings()
    return str(
        key.sign(
            build_claims(
                issuer=settings.token_issuer,
                audience=settings.token_audience,
                subject=subject,
                tenant_id=tenant_id,
                lifetime=timedelta(hours=1),
                **claims,
            )
        )
    )


def resident_token(key: Any, tenant_id: str) -> str:
    """A resident of the district."""
    return bench_token(key, tenant_id, str(uuid.uuid4()), kind="person", roles=("resident",))
