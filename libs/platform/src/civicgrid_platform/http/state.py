"""The components create_app keeps on `app.state`, read back by the dependencies.

A service may also attach them later (e.g. in its lifespan, once the engine exists) by
assigning the same attributes. A missing component is a wiring bug, hence RuntimeError (500).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth.verifier import TokenVerifier

MIN_CURSOR_KEY_BYTES = 16


def token_verifier(app: FastAPI) -> TokenVerifier:
    verifier = getattr(app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not set: pass token_verifier to create_app")
    return verifier


def idempotency_engine(app: FastAPI) -> AsyncEngine:
    engine = getattr(app.state, "idempotency_engine", None)
    if not isinstance(engine, AsyncEngine):
        raise RuntimeError("app.state.idempotency_engine is not set: set it in the lifespan")
    return engine


def cursor_key(app: FastAPI) -> bytes:
    key = getattr(app.state, "cursor_key", None)
    if not isinstance(key, bytes) or len(key) < MIN_CURSOR_KEY_BYTES:
        raise RuntimeError(
            f"app.state.cursor_key must be at least {MIN_CURSOR_KEY_BYTES} bytes: "
            "pass cursor_key to create_app"
        )
    return key
