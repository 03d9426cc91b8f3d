"""Token verification shared by every service (HTTP and gRPC); signing helpers for the issuer;
tokens for a platform service acting in a tenant."""

from civicgrid_platform.auth.claims import build_claims, principal_from_claims
from civicgrid_platform.auth.errors import (
    InvalidToken,
    KeySetUnavailable,
    PermissionDenied,
    Unauthenticated,
)
from civicgrid_platform.auth.jwks import JwksCache, JwksFetchError
from civicgrid_platform.auth.principal import PLATFORM_ADMIN_ROLE, Principal, RoleBinding
from civicgrid_platform.auth.service_tokens import (
    ServiceTokenError,
    TenantTokens,
    TokenEndpointUnavailable,
    TokenRefused,
)
from civicgrid_platform.auth.signing import (
    SigningKey,
    generate_signing_key,
    jwks_document,
    load_signing_key,
    signing_key_to_pem,
)
from civicgrid_platform.auth.verifier import DEFAULT_ALGORITHMS, TokenVerifier

__all__ = [
    "DEFAULT_ALGORITHMS",
    "PLATFORM_ADMIN_ROLE",
    "InvalidToken",
    "JwksCache",
    "JwksFetchError",
    "KeySetUnavailable",
    "PermissionDenied",
    "Principal",
    "RoleBinding",
    "ServiceTokenError",
    "SigningKey",
    "TenantTokens",
    "TokenEndpointUnavailable",
    "TokenRefused",
    "TokenVerifier",
    "Unauthenticated",
    "build_claims",
    "generate_signing_key",
    "jwks_document",
    "load_signing_key",
    "principal_from_claims",
    "signing_key_to_pem",
]
