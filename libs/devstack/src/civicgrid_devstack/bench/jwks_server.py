"""A JWKS document served on 127.0.0.1, so a benchmarked service trusts the bench's own key,
and a resident's token signed with that key."""

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


def resident_token(key: Any, tenant_id: str) -> str:
    """An hour's access token of a resident of the district, as the service's settings expect."""
    settings = PlatformSettings()
    claims = build_claims(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        subject=str(uuid.uuid4()),
        tenant_id=tenant_id,
        kind="person",
        lifetime=timedelta(hours=1),
        roles=("resident",),
    )
    return str(key.sign(claims))
