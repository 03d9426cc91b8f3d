"""Webhooks reach a real HTTP receiver on 127.0.0.1 (the district is configured for an internal
integration): signed so the Standard Webhooks library verifies them, tried again with backoff
until the endpoint answers, once per event however often the event comes, and at least once
when a dispatcher dies mid-send, always under the same webhook-id."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.jobs.webhook_dispatcher import webhook_dispatcher
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_dispatch import dispatch_due
from services.notifications.tests.notifications_support import District, SettableClock
from services.notifications.tests.webhook_support import (
    TICKET_CREATED,
    Answer,
    Receiver,
    dispatch_all,
    publish,
    subscribe,
    webhook_sender,
)

pytestmark = pytest.mark.integration


async def _messages(api: httpx.AsyncClient, district: District, sub: str) -> list[dict[str, Any]]:
    answer = await api.get(f"/v1/webhooks/{sub}/messages", headers=district.admin())
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _attempts(
    api: httpx.AsyncClient, district: District, sub: str, message: str
) -> list[dict[str, Any]]:
    answer = await api.get(
        f"/v1/webhooks/{sub}/messages/{message}/attempts", headers=district.admin()
    )
    assert answer.status_code == 200, answer.text
    return list(reversed(answer.json()["items"]))  # oldest first


async def test_notifications_webhook_messages_verify_with_the_subscriptions_secret(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    clock.now = datetime.now(UTC)  # receivers refuse timestamps minutes away from theirs
    sub = await subscribe(api, hooked, receiver.url())
    event = uuid.uuid4()

    assert await publish(timed, hooked, event_id=event, ticket_id="T-7") == 1
    await dispatch_all(timed, sender)

    [got] = receiver.received
    payload = got.verified_by(sub["secret"])
    assert payload["type"] == TICKET_CREATED and payload["data"] == {"ticket_id": "T-7"}
    assert got.headers["content-type"] == "application/json"
    [message] = await _messages(api, hooked, sub["id"])
    assert got.headers["webhook-id"] == message["id"]
    assert (message["status"], message["event_id"]) == ("delivered", str(event))
    detail = await api.get(
        f"/v1/webhooks/{sub['id']}/messages/{message['id']}", headers=hooked.admin()
    )
    assert detail.json()["payload"] == payload


async def test_notifications_webhook_both_secrets_verify_during_a_rotation_then_only_the_new(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    clock.now = datetime.now(UTC)
    overlapping = await subscribe(api, hooked, receiver.url("/overlapping"))
    expired = await subscribe(api, hooked, receiver.url("/expired"))
    rotate = "/v1/webhooks/{}/secret/rotate"
    fresh = await api.post(rotate.format(overlapping["id"]), json={}, headers=hooked.admin())
    clock.now = datetime.now(UTC) - timedelta(hours=25)  # 24 h of overlap are over by now
    renewed = await api.post(rotate.format(expired["id"]), json={}, headers=hooked.admin())
    clock.now = datetime.now(UTC)

    await publish(timed, hooked)
    await dispatch_all(timed, sender)

    got = {r.path: r for r in receiver.received}
    assert len(got["/overlapping"].headers["webhook-signature"].split(" ")) == 2
    assert got["/overlapping"].verified_by(overlapping["secret"])
    assert got["/overlapping"].verified_by(fresh.json()["secret"])
    assert got["/expired"].verified_by(renewed.json()["secret"])
    with pytest.raises(WebhookVerificationError):
        got["/expired"].verified_by(expired["secret"])


async def test_notifications_webhook_failures_are_retried_with_backoff_until_delivered(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    receiver.answer(Answer(500, body=b"database down"), Answer(503), Answer(204))
    await publish(timed, hooked)

    await dispatch_all(timed, sender)  # 1st: 500
    [waiting] = await _messages(api, hooked, sub["id"])
    retry_at = datetime.fromisoformat(waiting["next_attempt_at"])
    assert timedelta(seconds=4) <= retry_at - clock.now <= timedelta(seconds=6)
    assert (waiting["status"], waiting["last_status_code"]) == ("pending", 500)
    await dispatch_all(timed, sender)  # not due yet
    assert len(receiver.received) == 1

    clock.advance(seconds=6)
    await dispatch_all(timed, sender)  # 2nd: 503, next in about 5 minutes
    clock.advance(minutes=3)
    await dispatch_all(timed, sender)
    assert len(receiver.received) == 2
    clock.advance(minutes=3)
    await dispatch_all(timed, sender)  # 3rd: 204

    [done] = await _messages(api, hooked, sub["id"])
    assert (done["status"], done["attempts"], done["next_attempt_at"]) == ("delivered", 3, None)
    attempts = await _attempts(api, hooked, sub["id"], done["id"])
    assert [(a["number"], a["outcome"], a["status_code"]) for a in attempts] == [
        (1, "failed", 500),
        (2, "failed", 503),
        (3, "delivered", 204),
    ]
    assert attempts[0]["response"] == "database down"
    assert {r.headers["webhook-id"] for r in receiver.received} == {done["id"]}
    assert len({r.body for r in receiver.received}) == 1  # the same bytes every time


async def test_notifications_webhook_an_endpoint_that_does_not_answer_in_time_is_retried(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    receiver.answer(Answer(200, delay=3))
    await publish(timed, hooked)
    sender = webhook_sender(timeout=0.5)

    try:
        await dispatch_all(timed, sender)
        clock.advance(seconds=6)
        await dispatch_all(timed, sender)
    finally:
        await sender.aclose()

    [message] = await _messages(api, hooked, sub["id"])
    assert message["status"] == "delivered"
    first, second = await _attempts(api, hooked, sub["id"], message["id"])
    assert (first["outcome"], first["status_code"]) == ("error", None)
    assert first["error"].startswith("timeout")
    assert second["outcome"] == "delivered"


async def test_notifications_webhook_a_redelivered_event_is_sent_once(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    event = uuid.uuid4()

    first = await publish(timed, hooked, event_id=event)
    again = await publish(timed, hooked, event_id=event)
    await dispatch_all(timed, sender)
    after_sending = await publish(timed, hooked, event_id=event)
    await dispatch_all(timed, sender)

    assert (first, again, after_sending) == (1, 0, 0)
    assert len(receiver.received) == 1
    assert len(await _messages(api, hooked, sub["id"])) == 1


async def test_notifications_webhook_only_matching_enabled_subscriptions_get_the_event(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    await subscribe(api, hooked, receiver.url("/tickets"), event_types=["civicgrid.tickets.v1.*"])
    await subscribe(api, hooked, receiver.url("/all"))
    paused = await subscribe(api, hooked, receiver.url("/paused"))
    await api.patch(f"/v1/webhooks/{paused['id']}", json={"enabled": False}, headers=hooked.admin())
    await subscribe(
        api, hooked, receiver.url("/tasks"), event_types=["civicgrid.volunteers.v1.task.cancelled"]
    )

    tickets = await publish(timed, hooked, TICKET_CREATED)
    offers = await publish(timed, hooked, "civicgrid.volunteers.v1.offer.made")
    await dispatch_all(timed, sender)

    assert (tickets, offers) == (2, 1)
    assert sorted(r.path for r in receiver.received) == ["/all", "/all", "/tickets"]


async def test_notifications_webhook_replicas_share_the_work_without_sending_twice(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    receiver: Receiver,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    for _ in range(60):
        await publish(timed, hooked)
    replicas = [webhook_sender() for _ in range(3)]

    async def replica(sender: HttpWebhookSender) -> None:
        while await dispatch_due(timed, sender, limit=7, concurrency=4):
            pass

    try:
        await asyncio.gather(*(replica(s) for s in replicas))
    finally:
        for s in replicas:
            await s.aclose()

    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == 60
    assert {m["status"] for m in await _messages(api, hooked, sub["id"])} == {"delivered"}


async def test_notifications_webhook_a_dispatcher_dying_mid_send_loses_nothing(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    receiver.answer(Answer(200, delay=1.0))  # in flight when the dispatcher dies
    await publish(timed, hooked)
    patient = webhook_sender()

    dying = asyncio.create_task(dispatch_due(timed, patient))
    assert await asyncio.to_thread(receiver.arrived.wait, 5)
    dying.cancel()  # the process is gone: nothing of the attempt was recorded
    with pytest.raises(asyncio.CancelledError):
        await dying
    await patient.aclose()

    await dispatch_all(timed, sender)  # leased by the dead dispatcher: not due yet
    assert len(receiver.received) == 1
    clock.advance(minutes=2, seconds=2)  # the lease ran out
    await dispatch_all(timed, sender)

    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    [message] = await _messages(api, hooked, sub["id"])
    assert (message["status"], message["attempts"]) == ("delivered", 2)


async def test_notifications_webhook_the_dispatcher_component_sends_until_stopped(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext, receiver: Receiver
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    component = webhook_dispatcher(timed, webhook_sender(), interval=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(component.run(stop))

    await publish(timed, hooked)  # while it runs
    assert await asyncio.to_thread(receiver.arrived.wait, 10)
    stop.set()
    await asyncio.wait_for(running, 10)

    assert component.name == "webhooks"
    [message] = await _messages(api, hooked, sub["id"])
    assert message["status"] == "delivered"
