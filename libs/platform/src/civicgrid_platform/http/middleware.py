"""Pure ASGI middleware of the app factory: request body limit, last-resort 500 problem."""

from __future__ import annotations

import logging

from opentelemetry import trace
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgrid_platform.http.problems import problem_response, status_slug

logger = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body exceeds {limit} bytes")


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_body_bytes` with 413, by Content-Length up front or while the
    body streams in (chunked uploads have no Content-Length)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = Request(scope).headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            slug, title = status_slug(413)
            response = problem_response(
                Request(scope),
                status=413,
                slug=slug,
                title=title,
                detail=BodyTooLarge(limit).detail,
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the app's body read, so the app's handlers answer 413.
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


class UnhandledErrorMiddleware:
    """The last line: an exception nothing else handled becomes a 500 problem that reveals
    nothing internal, and is logged once with its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if response_started:
                raise  # too late for a problem document; let the server drop the connection
            extensions = {}
            span_context = trace.get_current_span().get_span_context()
            if span_context.is_valid:
                # Lets a caller quote the trace when reporting the failure.
                extensions["trace_id"] = format(span_context.trace_id, "032x")
            response = problem_response(
                Request(scope),
                status=500,
                slug="internal-error",
                title="Internal Server Error",
                detail="An unexpected error occurred; it has been logged.",
                extensions=extensions,
            )
            await response(scope, receive, send)
