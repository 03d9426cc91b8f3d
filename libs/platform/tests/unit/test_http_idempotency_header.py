"""Idempotency-Key handling that needs no database (the stored behaviour is in integration)."""

from __future__ import annotations

import pytest

from civicgrid_platform.auth import principal_from_claims
from civicgrid_platform.http.idempotency.guard import key_scope, request_fingerprint
from libs.platform.tests.unit.http_support import asgi_client, build_app, claims

WIDGET = {"name": "Ada", "phone": "+4915112345678"}


async def test_without_the_header_a_post_simply_runs() -> None:
    # No engine is configured: proof that nothing is claimed when no key is sent.
    async with asgi_client(build_app()) as client:
        first = await client.post("/widgets", json=WIDGET)
        second = await client.post("/widgets", json=WIDGET)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there"])
async def test_malformed_key_is_a_422_naming_the_header(key: str) -> None:
    async with asgi_client(build_app()) as client:
        response = await client.post("/widgets", json=WIDGET, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_key_without_a_configured_engine_is_a_wiring_error() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.post("/widgets", json=WIDGET, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 500


def test_fingerprint_separates_method_target_and_body() -> None:
    base = request_fingerprint("POST", "/widgets", b"{}")
    assert base == request_fingerprint("POST", "/widgets", b"{}")
    assert base != request_fingerprint("PUT", "/widgets", b"{}")
    assert base != request_fingerprint("POST", "/widgets?x=1", b"{}")
    assert base != request_fingerprint("POST", "/widgets", b"{ }")
    # Length prefixes keep shifted boundaries apart.
    assert request_fingerprint("POST", "/a", b"b") != request_fingerprint("POST", "/ab", b"")


def test_scope_separates_tenants_callers_and_anonymous() -> None:
    ada = principal_from_claims(claims(sub="ada"))
    other_tenant = principal_from_claims(
        claims(sub="ada", tid="7e1f6f5e-5a47-4d43-9d0c-1f3c6f0e2a11")
    )
    assert key_scope(ada) != key_scope(other_tenant)
    assert key_scope(ada) != key_scope(principal_from_claims(claims(sub="bob")))
    assert key_scope(None) == "anonymous"
