"""An identity provider for a service's tests: tokens signed by a key the app is told to trust."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from civicgrid_platform.auth import (
    JwksCache,
    SigningKey,
    TokenVerifier,
    build_claims,
    generate_signing_key,
    jwks_document,
)
from civicgrid_platform.auth.principal import PrincipalKind


@dataclass(frozen=True)
class TestIssuer:
    issuer: str = "https://identity.test"
    audience: str = "civicgrid"
    key: SigningKey = field(default_factory=generate_signing_key)

    def token(
        self,
        tenant_id: str,
        *roles: str,
        subject: str | None = None,
        bindings: Iterable[tuple[str, str | None]] = (),
        scopes: Iterable[str] = (),
        kind: PrincipalKind = "person",
    ) -> str:
        claims = build_claims(
            issuer=self.issuer,
            audience=self.audience,
            subject=subject or str(uuid.uuid4()),
            tenant_id=tenant_id,
            kind=kind,
            lifetime=timedelta(minutes=30),
            roles=roles,
            bindings=bindings,
            scopes=scopes,
        )
        return self.key.sign(claims)

    def bearer(self, tenant_id: str, *roles: str, **options: object) -> dict[str, str]:
        """Authorization header for HTTP; `options` as for `token`."""
        return {"Authorization": f"Bearer {self.token(tenant_id, *roles, **options)}"}  # type: ignore[arg-type]

    def metadata(self, tenant_id: str, *roles: str, **options: object) -> tuple[tuple[str, str]]:
        """The same as gRPC call metadata."""
        return (("authorization", f"Bearer {self.token(tenant_id, *roles, **options)}"),)  # type: ignore[arg-type]

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(
            JwksCache.from_static(jwks_document([self.key])),
            issuer=self.issuer,
            audience=self.audience,
        )
