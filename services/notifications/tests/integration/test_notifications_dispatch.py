"""Queued deliveries leave through the dispatcher to real local servers (an HTTP SMS provider,
an aiosmtpd SMTP server): retried with backoff after a provider error, handed to the next
provider on failure, given up after the last attempt (delivery.failed), and each attempt kept."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from email import message_from_bytes
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.volunteers.v1 import events_pb2 as volunteer_events
from civicgrid_notifications.adapters.http_provider import FallbackSender, HttpProvider
from civicgrid_notifications.adapters.smtp_email import SmtpEmailSender
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.dispatch import dispatch_due
from civicgrid_testkit.local_http import LocalHttpServer, Reply, Request
from civicgrid_testkit.processes import find_free_port
from services.notifications.tests.identity_contract import Directory, identity_contract
from services.notifications.tests.messages_support import VOLUNTEERS, feed, rows
from services.notifications.tests.notifications_support import District, SettableClock

pytestmark = pytest.mark.integration


class Script:
    """A provider answering with the next scripted status (200 once the script runs out)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)

    def __call__(self, request: Request) -> Reply:
        status = self.statuses.pop(0) if self.statuses else 200
        body = {"id": uuid.uuid4().hex, "status": "sent"} if status == 200 else {"error": "busy"}
        return Reply(status, json.dumps(body).encode())


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), find_free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(autouse=True)
async def only_this_tests_deliveries(notifications_ctx: NotificationsContext) -> None:
    """The dispatcher serves every district: other tests' queued messages are taken out of its
    way so the scripted providers answer this test's messages only."""
    async with notifications_ctx.uow(tenant_id=None) as uow:
        await uow.session.execute(text("DELETE FROM timers WHERE kind = 'delivery'"))
        await uow.commit()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _sms(http: httpx.AsyncClient, *servers: LocalHttpServer) -> FallbackSender:
    return FallbackSender(
        [
            HttpProvider(
                s.url(), token="t", callback_url="http://cb", client=http, timeout_seconds=2
            )
            for s in servers
        ]
    )


async def _offer(ctx: NotificationsContext, district: District, person: uuid.UUID) -> None:
    offer = volunteer_events.OfferMade(
        offer_id="o", task_id=str(uuid.uuid4()), person_id=str(person)
    )
    await feed(ctx, (VOLUNTEERS, "offer.made", district.tenant_id, offer))


async def _drain(ctx: NotificationsContext) -> None:
    while await dispatch_due(ctx):
        pass


DELIVERY = (
    "SELECT id, status, attempts, next_attempt_at, provider FROM deliveries"
    " WHERE tenant_id = :t AND channel = :c"
)


async def test_notifications_dispatch_retries_with_backoff_then_falls_back(
    timed: NotificationsContext, district: District, clock: SettableClock, http: httpx.AsyncClient
) -> None:
    directory = Directory()
    volunteer = directory.person(district.tenant_id, "Chen Volunteer", "+8613700000001")
    first, second = Script(503, 503, 503), Script()
    with LocalHttpServer(first) as busy, LocalHttpServer(second) as spare:
        async with identity_contract(directory) as identity:
            ctx = replace(timed, directory=identity, senders={Channel.SMS: _sms(http, busy)})
            await _offer(ctx, district, volunteer)
            await _drain(ctx)
            (sms,) = await rows(ctx, district.tenant_id, DELIVERY, t=district.tenant_id, c="sms")
            assert sms.status == "queued" and sms.attempts == 1
            assert sms.next_attempt_at > clock.now  # backing off
            assert json.loads(busy.requests[0].body)["to"] == "+8613700000001"

            # Due again: the only provider is still busy; then a second provider is added.
            clock.now = sms.next_attempt_at
            await _drain(ctx)
            ctx = replace(ctx, senders={Channel.SMS: _sms(http, busy, spare)})
            (sms,) = await rows(ctx, district.tenant_id, DELIVERY, t=district.tenant_id, c="sms")
            clock.now = sms.next_attempt_at
            await _drain(ctx)
    (sms,) = await rows(ctx, district.tenant_id, DELIVERY, t=district.tenant_id, c="sms")
    assert sms.status == "sent" and sms.attempts == 3
    tries = await rows(
        ctx,
        district.tenant_id,
        "SELECT number, outcome FROM delivery_attempts WHERE delivery_id = :d ORDER BY id",
        d=sms.id,
    )
    # The third attempt tried the busy provider, then the spare one.
    assert [(t.number, t.outcome) for t in tries] == [
        (1, "error"),
        (2, "error"),
        (3, "error"),
        (3, "sent"),
    ]
    assert len(spare.requests) == 1


async def test_notifications_dispatch_gives_up_after_the_last_attempt(
    timed: NotificationsContext, district: District, clock: SettableClock, http: httpx.AsyncClient
) -> None:
    directory = Directory()
    volunteer = directory.person(district.tenant_id, "Chen Volunteer", "+8613700000002")
    with LocalHttpServer(Script(*[500] * 10)) as broken:
        async with identity_contract(directory) as identity:
            policy = replace(timed.delivery, max_attempts=3)
            ctx = replace(
                timed,
                directory=identity,
                senders={Channel.SMS: _sms(http, broken)},
                delivery=policy,
            )
            await _offer(ctx, district, volunteer)
            for _ in range(3):
                await _drain(ctx)
                clock.advance(hours=1)
    (sms,) = await rows(ctx, district.tenant_id, DELIVERY, t=district.tenant_id, c="sms")
    assert sms.status == "failed" and sms.attempts == 3
    failed = await rows(
        ctx,
        district.tenant_id,
        "SELECT 1 FROM event_outbox WHERE key = :k"
        " AND headers->>'ce_type' = 'civicgrid.notifications.v1.delivery.failed'",
        k=str(sms.id),
    )
    assert len(failed) == 1


async def test_notifications_dispatch_sends_email_over_smtp(
    timed: NotificationsContext, district: District, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    directory = Directory()
    person = directory.person(district.tenant_id, "Liu Official", email="liu@example.org")
    sender = SmtpEmailSender(
        host="127.0.0.1", port=port, mail_from="CivicGrid <no-reply@civicgrid.test>"
    )
    async with identity_contract(directory) as identity:
        ctx = replace(timed, directory=identity, senders={Channel.EMAIL: sender})
        message = identity_events.RoleGranted(person_id=str(person))
        message.binding.role = "grid_leader"
        await feed(ctx, ("civicgrid.identity.v1", "role.granted", district.tenant_id, message))
        await _drain(ctx)
    await asyncio.sleep(0)
    (email,) = await rows(ctx, district.tenant_id, DELIVERY, t=district.tenant_id, c="email")
    assert email.status == "sent"
    assert [m["to"] for m in box.mails] == ["liu@example.org"]
    assert "grid_leader" in box.mails[0].get_body(preferencelist=("plain",)).get_content()


async def test_notifications_dispatch_suppresses_what_has_no_address(
    timed: NotificationsContext, district: District, http: httpx.AsyncClient
) -> None:
    directory = Directory()
    nobody = directory.person(district.tenant_id, "No Phone")
    with LocalHttpServer(Script()) as provider:
        async with identity_contract(directory) as identity:
            ctx = replace(timed, directory=identity, senders={Channel.SMS: _sms(http, provider)})
            await _offer(ctx, district, nobody)
            await _drain(ctx)
    (sms,) = await rows(ctx, district.tenant_id, DELIVERY, t=district.tenant_id, c="sms")
    assert sms.status == "suppressed" and not provider.requests
