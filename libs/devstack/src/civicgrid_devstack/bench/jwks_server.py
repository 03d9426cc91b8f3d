"""A JWKS document served on 127.0.0.1, so a benchmarked service trusts the bench's own key,
and access tokens signed with that key."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from civicgrid_platform.auth import build_claims, jwks_document
from civicgrid_platform.settings import PlatformSettings


class JwksServer:
    def __init__(self, key: Any) -> None:
        body = json.dumps(jwks_document([key])).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def bench_token(key: Any, tenant_id: str, subject: str, **claims: Any) -> str:
    """An hour's access token signed with the bench's key, as the service's settings expect;
    `claims` as build_claims takes them (kind, roles, scopes)."""
    settings = PlatformSettings()
    return str(
        key.sign(
            build_claims(
                issuer=settings.token_issuer,
                audience=settings.token_audience,
                subject=subject,
                tenant_id=tenant_id,
                lifetime=timedelta(hours=1),
                **claims,
            )
        )
    )


def resident_token(key: Any, tenant_id: str) -> str:
    """A resident of the district."""
    return bench_token(key, tenant_id, str(uuid.uuid4()), kind="person", roles=("resident",))
