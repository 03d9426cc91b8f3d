"""Helpers shared by the webhook tests: a real HTTP receiver on 127.0.0.1 that answers as told
and keeps what it got, and short-cuts to set a district up for webhooks."""

from __future__ import annotations

import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
from civicgrid_testkit.local_http import LOOPBACK, LocalHttpServer, Reply, Request
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


class Receiver(LocalHttpServer):
    """An integrator's endpoint (the test kit's LocalHttpServer). Each request takes the next
    queued answer (200 when none). With `tls` (certificate and key in PEM) it speaks https and
    notes the names asked by SNI."""

    def __init__(self, tls: tuple[bytes, bytes] | None = None) -> None:
        self.received: list[Received] = []
        self.server_names: list[str | None] = []
        self.answers: deque[Answer] = deque()
        # Set when a request arrives (before it is answered).
        self.arrived = threading.Event()
        super().__init__(self._reply, tls=self._tls_context(tls) if tls else None)

    def _reply(self, request: Request) -> Reply:
        self.received.append(Received(request.path, request.headers, request.body))
        self.arrived.set()
        answer = self.answers.popleft() if self.answers else Answer()
        time.sleep(answer.delay)
        return Reply(answer.status, answer.body, content_type="text/plain")

    def _tls_context(self, tls: tuple[bytes, bytes]) -> ssl.SSLContext:
        certificate, key = tls
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory() as directory:
            files = Path(directory, "cert.pem"), Path(directory, "key.pem")
            files[0].write_bytes(certificate)
            files[1].write_bytes(key)
            context.load_cert_chain(*files)
        context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        return context

    def url(self, path: str = "/hook", host: str = LOOPBACK) -> str:
        return super().url(path, host)

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)


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
