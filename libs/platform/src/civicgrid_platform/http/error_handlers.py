"""Turn every kind of failure into a problem+json answer.

Domain errors come through `error_table`: the handler for an exception is found along its MRO,
so a subclass maps to its base's entry unless it has its own. A domain error may carry
`detail` (else str(exc) is used), `field` (named in `errors`) and `retry_after_seconds`
(sent as Retry-After).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from civicgrid_platform.auth.errors import (
    InvalidToken,
    KeySetUnavailable,
    PermissionDenied,
    Unauthenticated,
)
from civicgrid_platform.errors import is_unstorable_value
from civicgrid_platform.http.problems import (
    ErrorT,
    ProblemError,
    ProblemMapping,
    problem_response,
    status_slug,
)

logger = logging.getLogger(__name__)


def install_error_handlers(
    app: FastAPI, error_table: Mapping[type[ErrorT], ProblemMapping]
) -> None:
    for error_class in error_table:
        if error_class in (Exception, BaseException):
            # Those would reach Starlette's server-error middleware, which re-raises.
            raise ValueError("error_table must map specific error classes, not Exception")
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(PermissionDenied, _permission_denied)
    app.add_exception_handler(KeySetUnavailable, _key_set_unavailable)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(DBAPIError, _unstorable_value)
    for error_class, spec in error_table.items():
        app.add_exception_handler(error_class, partial(_domain_error, spec))


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=exc.headers)
    slug, title = status_slug(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    return problem_response(
        request,
        status=exc.status_code,
        slug=slug,
        title=title,
        detail=detail,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw_errors: Sequence[Any] = exc.errors()
    errors = [_field_error(error) for error in raw_errors]
    first = errors[0] if errors else {"field": "request", "message": "invalid request"}
    if raw_errors and raw_errors[0].get("type") == "json_invalid":
        # The body is not JSON at all: a syntax problem, not a semantic one.
        return problem_response(
            request,
            status=400,
            slug="malformed-body",
            title="Malformed request body",
            detail=f"{first['field']}: {first['message']}",
            extensions={"errors": errors[:1]},
        )
    return problem_response(
        request,
        status=422,
        slug="validation-failed",
        title="Request validation failed",
        detail=f"{first['field']}: {first['message']}",
        extensions={"errors": errors},
    )


async def _unauthenticated(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Unauthenticated)
    realm = getattr(request.app.state, "service_name", "civicgrid")
    challenge = f'Bearer realm="{realm}"'
    if isinstance(exc, InvalidToken):
        # RFC 6750 §3: say that the token itself was refused, not only that one is needed.
        reason = exc.reason.replace("\\", "").replace('"', "'")
        challenge += f', error="invalid_token", error_description="{reason}"'
    return problem_response(
        request,
        status=401,
        slug="unauthenticated",
        title="Authentication required",
        detail=exc.reason,
        headers={"WWW-Authenticate": challenge},
    )


async def _permission_denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PermissionDenied)
    return problem_response(
        request, status=403, slug="forbidden", title="Forbidden", detail=exc.reason
    )


async def _key_set_unavailable(request: Request, exc: Exception) -> Response:
    logger.error("cannot verify tokens: %s", exc)
    return problem_response(
        request,
        status=503,
        slug="auth-unavailable",
        title="Authentication temporarily unavailable",
        detail="Signing keys could not be loaded; retry shortly.",
        headers={"Retry-After": "5"},
    )


async def _unstorable_value(request: Request, exc: Exception) -> Response:
    # A data exception means the request carried a value the database cannot hold: the
    # caller's fault, so a 4xx; the SQL text stays in the log, never in the answer. Any other
    # database error is ours: re-raised to the unhandled-error middleware (500, logged).
    if not is_unstorable_value(exc):
        raise exc
    logger.info("request value refused by the database: %s", getattr(exc, "orig", exc))
    return problem_response(
        request,
        status=422,
        slug="unstorable-value",
        title="Value cannot be stored",
        detail="a value in the request cannot be stored (a NUL character or an over-long text)",
    )


async def _problem_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        status=exc.spec.status,
        slug=exc.spec.slug,
        title=exc.spec.title,
        detail=exc.detail,
        headers=exc.headers,
        extensions=exc.extensions,
    )


async def _domain_error(spec: ProblemMapping, request: Request, exc: Exception) -> Response:
    detail = getattr(exc, "detail", None)
    if not isinstance(detail, str):
        detail = str(exc)
    extensions: dict[str, Any] = {}
    field = getattr(exc, "field", None)
    if isinstance(field, str) and field:
        extensions["errors"] = [{"field": field, "message": detail}]
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after_seconds", None)
    if isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    return problem_response(
        request,
        status=spec.status,
        slug=spec.slug,
        title=spec.title,
        detail=detail,
        headers=headers,
        extensions=extensions,
    )


def field_name(loc: Sequence[Any]) -> str:
    """("body", "address", 0, "phone") -> "body.address.0.phone"."""
    return ".".join(str(part) for part in loc) or "request"


def _field_error(error: Mapping[str, Any]) -> dict[str, str]:
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        # FastAPI puts the character offset into loc; the field is the body as a whole.
        reason = (error.get("ctx") or {}).get("error", "not JSON")
        where = f" at character {loc[1]}" if len(loc) > 1 else ""
        return {"field": "body", "message": f"invalid JSON: {reason}{where}"}
    return {"field": field_name(loc), "message": str(error.get("msg", "invalid value"))}
