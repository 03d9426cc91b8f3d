"""The HTTP edge every service shares: app factory, problems, auth dependencies, idempotency,
pagination and health probes."""

from civicgrid_platform.http.app import DEFAULT_MAX_BODY_BYTES, create_app
from civicgrid_platform.http.health import Readiness
from civicgrid_platform.http.idempotency import (
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    IdempotencyKey,
    IdempotencyOptions,
    IdempotencyStore,
    Idempotent,
    idempotency_table,
)
from civicgrid_platform.http.pagination import (
    CursorPage,
    InvalidCursor,
    PageParams,
    PageRequest,
    decode_cursor,
    encode_cursor,
)
from civicgrid_platform.http.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemError,
    ProblemMapping,
    ProblemSpec,
    problem_response,
    problem_type,
)
from civicgrid_platform.http.security import (
    CurrentPrincipal,
    OptionalPrincipal,
    requires_role,
    requires_scope,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "IDEMPOTENCY_HEADER",
    "PROBLEM_MEDIA_TYPE",
    "REPLAYED_HEADER",
    "CurrentPrincipal",
    "CursorPage",
    "IdempotencyKey",
    "IdempotencyOptions",
    "IdempotencyStore",
    "Idempotent",
    "InvalidCursor",
    "OptionalPrincipal",
    "PageParams",
    "PageRequest",
    "ProblemError",
    "ProblemMapping",
    "ProblemSpec",
    "Readiness",
    "create_app",
    "decode_cursor",
    "encode_cursor",
    "idempotency_table",
    "problem_response",
    "problem_type",
    "requires_role",
    "requires_scope",
]
