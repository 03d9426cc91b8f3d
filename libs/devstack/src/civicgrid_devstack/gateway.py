"""The one local entry point: /api/<service>/... goes to that service, as an Ingress would."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def create_gateway(upstreams: Mapping[str, str]) -> Starlette:
    """upstreams: service name -> base URL (http://127.0.0.1:port)."""
    client = httpx.AsyncClient(timeout=httpx.Timeout(30.0), follow_redirects=False)

    async def proxy(request: Request) -> Response:
        service = request.path_params["service"]
        base = upstreams.get(service)
        if base is None:
            return _problem(404, "Not found", f"no service {service!r}; known: {sorted(upstreams)}")
        url = f"{base}/{request.path_params['path']}"
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP]
        headers.append(("x-forwarded-prefix", f"/api/{service}"))
        if request.client:
            headers.append(("x-forwarded-for", request.client.host))
        upstream = client.build_request(
            request.method,
            url,
            params=request.query_params,
            headers=headers,
            content=await request.body(),
        )
        try:
            answer = await client.send(upstream, stream=True)
        except httpx.TransportError as exc:
            return _problem(502, "Bad gateway", f"{service} is not answering: {type(exc).__name__}")
        out_headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers=out_headers,
            background=BackgroundTask(answer.aclose),
        )

    async def index(request: Request) -> Response:
        return JSONResponse({"services": {name: f"/api/{name}/" for name in upstreams}})

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(
        routes=[Route("/", index), Route("/api/{service}/{path:path}", proxy, methods=methods)],
        on_shutdown=[client.aclose],
    )
