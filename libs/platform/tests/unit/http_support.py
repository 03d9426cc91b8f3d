"""Shared helpers for the platform's auth and HTTP unit tests (plain functions, no fixtures)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field

from civicgrid_platform.auth import (
    JwksCache,
    SigningKey,
    TokenVerifier,
    build_claims,
    generate_signing_key,
    jwks_document,
)
from civicgrid_platform.http import (
    CurrentPrincipal,
    CursorPage,
    Idempotent,
    OptionalPrincipal,
    PageParams,
    ProblemSpec,
    create_app,
    requires_role,
    requires_scope,
)

ISSUER = "https://identity.civicgrid.test"
AUDIENCE = "civicgrid"
TENANT = "0b0f6f5e-5a47-4d43-9d0c-1f3c6f0e2a11"
CURSOR_KEY = b"unit-test-cursor-key-0123456789"


@cache
def rsa_key(name: str = "primary") -> SigningKey:
    """RSA generation is slow; each named key is made once per test session."""
    return generate_signing_key(kid=f"kid-{name}")


def claims(**overrides: Any) -> dict[str, Any]:
    base = build_claims(
        issuer=ISSUER,
        audience=AUDIENCE,
        subject="user-1",
        tenant_id=TENANT,
        kind="person",
        lifetime=timedelta(minutes=15),
        roles=["member"],
        bindings=[("unit_admin", "unit-7"), ("auditor", None)],
        scopes=[],
    )
    base.update(overrides)
    return base


def token(key: SigningKey | None = None, **overrides: Any) -> str:
    return (key or rsa_key()).sign(claims(**overrides))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(header: Mapping[str, Any], payload: Mapping[str, Any], signature: bytes = b"") -> str:
    """A token with any header and payload, for building refused tokens by hand."""
    head = b64url(json.dumps(dict(header)).encode())
    body = b64url(json.dumps(dict(payload)).encode())
    return f"{head}.{body}.{b64url(signature)}"


def static_verifier(*keys: SigningKey, **options: Any) -> TokenVerifier:
    jwks = JwksCache.from_static(jwks_document(keys or (rsa_key(),)))
    return TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, **options)


class JwksEndpoint:
    """An in-memory JWKS endpoint for httpx.MockTransport that counts its fetches."""

    def __init__(self, *keys: SigningKey) -> None:
        self.document: dict[str, Any] = jwks_document(keys)
        self.fetches = 0
        self.status = 200

    def publish(self, *keys: SigningKey) -> None:
        self.document = jwks_document(keys)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.status != 200:
            return httpx.Response(self.status, text="unavailable")
        return httpx.Response(200, json=self.document)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    """A client calling the app in-process; app errors come back as responses, as in a server."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def new_id() -> str:
    return str(uuid.uuid4())


def epoch(moment: datetime | None = None) -> int:
    return int((moment or datetime.now(UTC)).timestamp())


# --- a small service built the way real services build theirs -------------------------------


class DomainFailure(Exception):
    """Stands in for a service's domain error base (the lead's DomainError in real services)."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ThingMissing(DomainFailure):
    pass


class ThingInvalid(DomainFailure):
    pass


class SlowDown(DomainFailure):
    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


ERROR_TABLE: dict[type[Exception], ProblemSpec] = {
    DomainFailure: ProblemSpec(409, "conflict", "Conflict"),
    ThingInvalid: ProblemSpec(422, "invalid-input", "Invalid input"),
    SlowDown: ProblemSpec(429, "too-many-attempts", "Too many attempts"),
}


class WidgetIn(BaseModel):
    name: str = Field(min_length=1)
    phone: str = Field(pattern=r"^\+?[0-9]{6,15}$")


class WidgetOut(BaseModel):
    id: str
    name: str


ITEMS = [f"item-{number:03d}" for number in range(137)]


def build_app(**options: Any) -> FastAPI:
    """An app with one route per behaviour the tests look at."""
    options.setdefault("token_verifier", static_verifier())
    options.setdefault("cursor_key", CURSOR_KEY)
    options.setdefault("error_table", ERROR_TABLE)
    app = create_app(title="Test service", version="1.0.0", service_name="testsvc", **options)
    router = APIRouter()

    @router.post("/widgets", status_code=201, dependencies=[Idempotent])
    async def create_widget(widget: WidgetIn, response: Response) -> WidgetOut:
        created = WidgetOut(id=new_id(), name=widget.name)
        response.headers["Location"] = f"/widgets/{created.id}"
        return created

    @router.get("/widgets/{widget_id}")
    async def show_widget(widget_id: str) -> WidgetOut:
        if widget_id == "missing":
            raise ThingMissing("no such widget", field="path.widget_id")
        if widget_id == "invalid":
            raise ThingInvalid("bad widget", field="path.widget_id")
        if widget_id == "busy":
            raise SlowDown("try later", retry_after_seconds=7)
        if widget_id == "gone":
            raise HTTPException(status_code=410, detail="this widget left")
        if widget_id == "boom":
            raise RuntimeError("database password is hunter2")
        return WidgetOut(id=widget_id, name="Ada")

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject, "tenant": principal.tenant_id}

    @router.get("/maybe-me")
    async def maybe_me(principal: OptionalPrincipal) -> dict[str, str | None]:
        return {"subject": principal.subject if principal else None}

    @router.get("/admin", dependencies=[requires_role("unit_admin")])
    async def admin_only(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    @router.get("/integrations", dependencies=[requires_scope("reports:read")])
    async def integrations() -> dict[str, bool]:
        return {"ok": True}

    @router.get("/items")
    async def list_items(page: PageParams) -> CursorPage[str]:
        start = ITEMS.index(page.after["last"]) + 1 if page.after else 0
        rows = ITEMS[start : start + page.fetch_limit]
        return page.page(rows, lambda item: {"last": item})

    @router.post("/echo-size")
    async def echo_size(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.include_router(router)
    return app
