"""The access-token claims layout: the single source of truth for signer and verifiers.

iss, aud, sub, exp, iat, nbf, jti   registered claims (RFC 7519); times are integer seconds
tid        tenant id (UUID string)
kind       "person" | "client"
roles      every role the principal holds anywhere in the tenant (sorted list)
bindings   [{"role": r, "unit": unit_id | null}]: where each role is held; a role in
           `roles` with no binding is held tenant-wide
scope      OAuth scopes, space-separated (integrator clients)
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from civicgrid_platform.auth.errors import InvalidToken
from civicgrid_platform.auth.principal import Principal, PrincipalKind, RoleBinding

CLAIM_TENANT = "tid"
CLAIM_KIND = "kind"
CLAIM_ROLES = "roles"
CLAIM_BINDINGS = "bindings"
CLAIM_SCOPE = "scope"

_KINDS: frozenset[str] = frozenset({"person", "client"})
# Only the canonical form build_claims emits; a regex is several times cheaper than uuid.UUID.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def build_claims(
    *,
    issuer: str,
    audience: str,
    subject: str,
    tenant_id: str,
    kind: PrincipalKind,
    lifetime: timedelta,
    roles: Iterable[str] = (),
    bindings: Iterable[tuple[str, str | None]] = (),
    scopes: Iterable[str] = (),
    issued_at: datetime | None = None,
    token_id: str | None = None,
) -> dict[str, Any]:
    """Claims for one access token: `roles` held tenant-wide, `bindings` held at units."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}, got {kind!r}")
    tenant_id = str(uuid.UUID(tenant_id))  # canonical form, which verifiers insist on
    if not subject:
        raise ValueError("subject must not be empty")
    scope_list = sorted(set(scopes))
    if any(not s or " " in s for s in scope_list):
        raise ValueError("scopes must be non-empty and contain no spaces")
    binding_list = sorted({RoleBinding(r, u) for r, u in bindings}, key=_binding_sort_key)
    all_roles = sorted(set(roles) | {b.role for b in binding_list})
    issued = issued_at or datetime.now(UTC)
    iat = int(issued.timestamp())
    return {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": iat,
        "nbf": iat,
        "exp": iat + int(lifetime.total_seconds()),
        "jti": token_id or uuid.uuid4().hex,
        CLAIM_TENANT: tenant_id,
        CLAIM_KIND: kind,
        CLAIM_ROLES: all_roles,
        CLAIM_BINDINGS: [{"role": b.role, "unit": b.unit_id} for b in binding_list],
        CLAIM_SCOPE: " ".join(scope_list),
    }


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The Principal a verified token speaks for; InvalidToken if the layout is not ours."""
    # Runs on every request: plain loops and exact type checks (json.loads yields exact
    # types) keep it to a few microseconds.
    subject, tenant_id, token_id = claims.get("sub"), claims.get(CLAIM_TENANT), claims.get("jti")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("sub claim missing")
    if not isinstance(token_id, str) or not token_id:
        raise InvalidToken("jti claim missing")
    if not isinstance(tenant_id, str) or _CANONICAL_UUID.fullmatch(tenant_id) is None:
        raise InvalidToken("tenant claim is not a UUID")
    kind = claims.get(CLAIM_KIND)
    if kind not in _KINDS:
        raise InvalidToken("unknown principal kind")
    exp = claims.get("exp")
    if type(exp) is not int and type(exp) is not float:
        raise InvalidToken("exp claim missing")
    scope = claims.get(CLAIM_SCOPE, "")
    if type(scope) is not str:
        raise InvalidToken("scope claim is not a string")
    role_list, binding_list = claims.get(CLAIM_ROLES, []), claims.get(CLAIM_BINDINGS, [])
    if type(role_list) is not list or type(binding_list) is not list:
        raise InvalidToken("roles and bindings claims must be lists")
    for role in role_list:
        if type(role) is not str or not role:
            raise InvalidToken("roles claim holds a non-string")
    roles = set(role_list)
    bindings = []
    for item in binding_list:
        if type(item) is not dict:
            raise InvalidToken("bindings claim holds a non-object")
        role, unit = item.get("role"), item.get("unit")
        if type(role) is not str or not role or (unit is not None and type(unit) is not str):
            raise InvalidToken("malformed role binding")
        roles.add(role)
        bindings.append(RoleBinding(role, unit))
    return Principal(
        subject=subject,
        tenant_id=tenant_id,
        roles=frozenset(roles),
        bindings=tuple(bindings),
        scopes=frozenset(scope.split()),
        kind=kind,
        token_id=token_id,
        expires_at=datetime.fromtimestamp(exp, UTC),
    )


def _binding_sort_key(binding: RoleBinding) -> tuple[str, str]:
    return (binding.role, binding.unit_id or "")
