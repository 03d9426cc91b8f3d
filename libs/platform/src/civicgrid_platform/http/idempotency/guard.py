"""Idempotency-Key on creating POSTs: a dependency that claims the key (or answers from the
store) and a middleware that records the answer the handler actually sent.

The dependency runs before the handler, so it can refuse or replay; only the middleware sees
the final status, headers and bytes, so it stores 2xx answers and releases the key otherwise.
The stored answer is written before the response is sent, so a client's immediate retry
replays it instead of meeting "in progress".
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Header, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgrid_platform.auth.principal import Principal
from civicgrid_platform.http.idempotency.store import (
    Claim,
    Claimed,
    IdempotencyOptions,
    IdempotencyStore,
    InProgress,
    KeyReused,
    Replay,
    StoredResponse,
)
from civicgrid_platform.http.problems import ProblemError, ProblemSpec
from civicgrid_platform.http.security import OptionalPrincipal
from civicgrid_platform.http.state import idempotency_engine

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_STORED_HEADERS = (b"location", b"content-type")
_SCOPE_KEY = "civicgrid.idempotency"
_KEY_IN_PROGRESS = ProblemSpec(409, "idempotency-key-in-progress", "Request still in progress")
_KEY_REUSED = ProblemSpec(422, "idempotency-key-reused", "Idempotency key reused")


class IdempotentReplay(Exception):
    """Not an error: the way a dependency short-circuits FastAPI with the stored answer."""

    def __init__(self, response: StoredResponse) -> None:
        super().__init__("replaying a stored response")
        self.response = response


@dataclass(slots=True)
class _ClaimSlot:
    """Put into the ASGI scope by the middleware, filled in by the dependency."""

    store: IdempotencyStore | None = None
    claim: Claim | None = None


def request_fingerprint(method: str, target: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), target.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no ambiguous joins
        digest.update(part)
    return digest.hexdigest()


def key_scope(principal: Principal | None) -> str:
    if principal is None:
        return "anonymous"
    return f"{principal.tenant_id}:{principal.kind}:{principal.subject}"


async def _idempotency_guard(
    request: Request,
    principal: OptionalPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=1,
            max_length=255,
            pattern=r"^[!-~]+$",
            description="Client-chosen unique key; a retry with the same key and body "
            "gets the first answer again instead of creating a second resource.",
        ),
    ] = None,
) -> str | None:
    if idempotency_key is None:
        return None
    slot = request.scope.get(_SCOPE_KEY)
    if not isinstance(slot, _ClaimSlot):
        raise RuntimeError("IdempotencyMiddleware is not installed: build the app with create_app")
    store = _store(request.app)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    fingerprint = request_fingerprint(request.method, target, await request.body())
    outcome = await store.claim(key_scope(principal), idempotency_key, fingerprint)
    if isinstance(outcome, Claimed):
        slot.store, slot.claim = store, outcome.claim
        return idempotency_key
    if isinstance(outcome, Replay):
        raise IdempotentReplay(outcome.response)
    if isinstance(outcome, InProgress):
        raise ProblemError(
            _KEY_IN_PROGRESS,
            "a request with this Idempotency-Key is still being processed; retry shortly",
            headers={"Retry-After": "1"},
        )
    assert isinstance(outcome, KeyReused)
    raise ProblemError(
        _KEY_REUSED,
        "this Idempotency-Key was used with a different request",
        extensions={
            "errors": [{"field": f"header.{IDEMPOTENCY_HEADER}", "message": "used before"}]
        },
    )


# Either as a parameter (`_: IdempotencyKey`) or in `dependencies=[Idempotent]`.
IdempotencyKey = Annotated[str | None, Depends(_idempotency_guard)]
Idempotent: Any = Depends(_idempotency_guard)


async def replay_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IdempotentReplay)
    stored = exc.response
    return Response(
        content=stored.body,
        status_code=stored.status_code,
        headers={**stored.headers, REPLAYED_HEADER: "true"},
    )


def _store(app: FastAPI) -> IdempotencyStore:
    engine = idempotency_engine(app)
    store = getattr(app.state, "idempotency_store", None)
    if not isinstance(store, IdempotencyStore) or store.engine is not engine:
        options = getattr(app.state, "idempotency_options", None) or IdempotencyOptions()
        store = IdempotencyStore(engine, options)
        app.state.idempotency_store = store
    return store


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        slot = _ClaimSlot()
        scope[_SCOPE_KEY] = slot
        start: Message | None = None
        chunks: list[bytes] = []

        async def recording_send(message: Message) -> None:
            nonlocal start
            if slot.claim is None:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message  # held back until the answer is recorded
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                assert start is not None
                body = b"".join(chunks)
                await self._settle(slot, start, body)
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        except BaseException:
            if slot.claim is not None:
                with anyio.CancelScope(shield=True):  # release even when cancelled
                    await self._release(slot)
            raise
        if slot.claim is not None:
            await self._release(slot)  # the app ended without a complete response

    async def _settle(self, slot: _ClaimSlot, start: Message, body: bytes) -> None:
        status = int(start["status"])
        if not 200 <= status < 300:
            await self._release(slot)
            return
        assert slot.store is not None and slot.claim is not None
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in start.get("headers", [])
            if name.lower() in _STORED_HEADERS
        }
        claim, slot.claim = slot.claim, None
        try:
            recorded = await slot.store.complete(claim, StoredResponse(status, body, headers))
        except (SQLAlchemyError, OSError):
            # The work is done and committed; failing the response now would invite a
            # duplicate. The key stays in progress until it is taken over or expires.
            logger.exception("could not record the response for Idempotency-Key %s", claim.key)
            return
        if not recorded:
            logger.warning("Idempotency-Key %s was taken over before it was recorded", claim.key)

    async def _release(self, slot: _ClaimSlot) -> None:
        claim, slot.claim = slot.claim, None
        if claim is None or slot.store is None:
            return
        try:
            await slot.store.release(claim)
        except (SQLAlchemyError, OSError):
            # The request failed anyway; the key frees itself after in_progress_timeout.
            logger.exception("could not release Idempotency-Key %s", claim.key)
