"""The claims layout: what the issuer writes is exactly what verifiers read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid_platform.auth import (
    PLATFORM_ADMIN_ROLE,
    InvalidToken,
    RoleBinding,
    build_claims,
    principal_from_claims,
)
from libs.platform.tests.unit.http_support import AUDIENCE, ISSUER, TENANT


def _claims(**kwargs: object) -> dict:
    base: dict = {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "subject": "user-9",
        "tenant_id": TENANT,
        "kind": "person",
        "lifetime": timedelta(minutes=10),
    }
    base.update(kwargs)
    return build_claims(**base)


def test_layout_has_every_documented_claim() -> None:
    issued = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    claims = _claims(
        roles=["member"],
        bindings=[("unit_admin", "u-2"), ("unit_admin", "u-1"), ("auditor", None)],
        scopes=["b", "a"],
        issued_at=issued,
        token_id="t-1",
    )
    assert claims == {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-9",
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int(issued.timestamp()) + 600,
        "jti": "t-1",
        "tid": TENANT,
        "kind": "person",
        "roles": ["auditor", "member", "unit_admin"],
        "bindings": [
            {"role": "auditor", "unit": None},
            {"role": "unit_admin", "unit": "u-1"},
            {"role": "unit_admin", "unit": "u-2"},
        ],
        "scope": "a b",
    }


def test_round_trip_gives_the_same_principal_facts() -> None:
    principal = principal_from_claims(
        _claims(roles=["member"], bindings=[("unit_admin", "u-1"), ("unit_admin", "u-2")])
    )
    assert principal.subject == "user-9"
    assert principal.tenant_id == TENANT
    assert principal.units_for("unit_admin") == {"u-1", "u-2"}
    # A role without a binding is held tenant-wide.
    assert principal.units_for("member") == {None}
    assert principal.holds_tenant_wide("member")
    assert not principal.holds_tenant_wide("unit_admin")
    assert principal.units_for("nobody") == frozenset()
    assert principal.has_role("nobody", "unit_admin")
    assert not principal.has_role("nobody")
    assert not principal.is_platform_admin
    assert RoleBinding("unit_admin", "u-1") in principal.bindings


def test_platform_admin_and_client_scopes() -> None:
    admin = principal_from_claims(_claims(roles=[PLATFORM_ADMIN_ROLE]))
    assert admin.is_platform_admin
    client = principal_from_claims(_claims(kind="client", subject="open311", scopes=["read"]))
    assert client.kind == "client"
    assert client.has_scope("read")
    assert not client.has_scope("write")


def test_tenant_id_is_written_in_canonical_form() -> None:
    assert _claims(tenant_id=TENANT.upper())["tid"] == TENANT


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "robot"},
        {"tenant_id": "unit-3"},
        {"subject": ""},
        {"scopes": ["has space"]},
    ],
)
def test_build_claims_refuses_bad_input(bad: dict) -> None:
    with pytest.raises(ValueError):
        _claims(**bad)


@pytest.mark.parametrize(
    "edit",
    [
        {"roles": "admin"},
        {"roles": [1]},
        {"bindings": {"role": "x"}},
        {"bindings": [{"role": "x", "unit": 5}]},
        {"scope": ["a"]},
        {"jti": None},
        {"tid": None},
    ],
)
def test_foreign_layouts_are_refused(edit: dict) -> None:
    claims = {**_claims(), **edit}
    with pytest.raises(InvalidToken):
        principal_from_claims(claims)
