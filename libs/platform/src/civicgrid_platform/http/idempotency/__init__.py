"""Idempotency-Key support: the table definition, the store, and the FastAPI dependency."""

from civicgrid_platform.http.idempotency.guard import (
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    IdempotencyKey,
    IdempotencyMiddleware,
    Idempotent,
    IdempotentReplay,
    replay_response,
)
from civicgrid_platform.http.idempotency.store import IdempotencyOptions, IdempotencyStore
from civicgrid_platform.http.idempotency.table import idempotency_table

__all__ = [
    "IDEMPOTENCY_HEADER",
    "REPLAYED_HEADER",
    "IdempotencyKey",
    "IdempotencyMiddleware",
    "IdempotencyOptions",
    "IdempotencyStore",
    "Idempotent",
    "IdempotentReplay",
    "idempotency_table",
    "replay_response",
]
