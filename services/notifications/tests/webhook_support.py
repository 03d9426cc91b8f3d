"""Helpers shared by the webhook tests: a real HTTP receiver on 127.0.0.1 that answers as told
and keeps what it got, and short-cuts to set a district up for webhooks."""

from __future__ import annotations

import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.db.webhooks_repo import WebhooksRepository
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_dispatch import dispatch_due
from civicgrid_notifications.usecases.webhooks import enqueue_for_event
from civicgrid_testkit.processes import LOOPBACK, find_free_port
from services.notifications.tests.notifications_support import TOKENS, District

TICKET_CREATED = "civicgrid.tickets.v1.ticket.created"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def verified_by(self, secret: str) -> Any:
        """The payload if `secret` signed it (standardwebhooks raises otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    delay: float = 0.0  # seconds before answering (longer than the sender's timeout: no answer)
    body: bytes = b"ok"


def self_signed(name: str) -> tuple[bytes, bytes]:
    """(certificate, key) in PEM for `name`, valid for a day; its own issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM), pem_key


@dataclass
class Receiver:
    """An HTTP server in a thread. Each request takes the next queued answer (200 when none).
    With `tls` (certificate and key in PEM) it speaks https and notes the names asked by SNI."""

    port: int = field(default_factory=find_free_port)
    tls: tuple[bytes, bytes] | None = None
    received: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)
    answers: deque[Answer] = field(default_factory=deque)
    # Set when a request arrives (before it is answered).
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections alive, as most endpoints do

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                receiver.arrived.set()
                answer = receiver.answers.popleft() if receiver.answers else Answer()
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the sender gave up waiting (a timeout under test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self._tls_context().wrap_socket(
                self._server.socket, server_side=True
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _tls_context(self) -> ssl.SSLContext:
        assert self.tls is not None
        certificate, key = self.tls
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory() as directory:
            files = Path(directory, "cert.pem"), Path(directory, "key.pem")
            files[0].write_bytes(certificate)
            files[1].write_bytes(key)
            context.load_cert_chain(*files)
        context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        return context

    def url(self, path: str = "/hook", host: str = LOOPBACK) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def __enter__(self) -> Receiver:
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


def platform_admin() -> dict[str, str]:
    return TOKENS.bearer(str(uuid.uuid4()), "platform_admin")


async def make_internal(api: httpx.AsyncClient, district: District, allowed: bool = True) -> None:
    answer = await api.put(
        f"/v1/districts/{district.tenant}/webhook-settings",
        json={"internal_targets": allowed},
        headers=platform_admin(),
    )
    assert answer.status_code == 200, answer.text


async def subscribe(
    api: httpx.AsyncClient, district: District, url: str, **fields: Any
) -> dict[str, Any]:
    answer = await api.post("/v1/webhooks", json={"url": url, **fields}, headers=district.admin())
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def publish(
    ctx: NotificationsContext,
    district: District,
    event_type: str = TICKET_CREATED,
    event_id: uuid.UUID | None = None,
    **data: Any,
) -> int:
    """An event as the consumer hands it over: its own transaction, committed."""
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        queued = await enqueue_for_event(
            uow,
            district.tenant_id,
            event_id or uuid.uuid4(),
            event_type,
            data or {"ticket_id": str(uuid.uuid4())},
            now=ctx.clock(),
        )
        await uow.commit()
    return queued


def webhook_sender(timeout: float = 5.0) -> HttpWebhookSender:
    """The real sender; short timeouts for the tests of timeouts. The receiver shares this
    process (and its interpreter lock) with the dispatcher, so a loaded machine answers slowly:
    other tests leave it seconds."""
    return HttpWebhookSender(timeout=timeout, deadline=timeout * 4)


async def dispatch_all(ctx: NotificationsContext, sender: HttpWebhookSender) -> None:
    """Runs the dispatcher until nothing is due at the context's clock."""
    while await dispatch_due(ctx, sender):
        pass


async def forget_webhooks(ctx: NotificationsContext, district: District) -> None:
    """Deletes the district's subscriptions, so no message is left due for later tests."""
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        repo = WebhooksRepository(uow.session, district.tenant_id)
        for subscription in await repo.page(None, 1000):
            await repo.remove(subscription.id)
        await uow.commit()
