"""Helpers shared by the webhook tests: a real HTTP receiver on 127.0.0.1 that answers as told
and keeps what it got, and short-cuts to set a district up for webhooks."""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx
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


@dataclass
class Receiver:
    """An HTTP server in a thread. Each request takes the next queued answer (200 when none)."""

    port: int = field(default_factory=find_free_port)
    received: list[Received] = field(default_factory=list)
    answers: deque[Answer] = field(default_factory=deque)
    # Set when a request arrives (before it is answered).
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
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
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

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


def quick_sender() -> HttpWebhookSender:
    """Gives up on an endpoint after half a second (timeouts under test)."""
    return HttpWebhookSender(timeout=0.5, deadline=2.0)


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
