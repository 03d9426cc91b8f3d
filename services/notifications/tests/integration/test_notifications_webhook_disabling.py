"""Endpoints that are gone or keep failing are switched off, their waiting messages failed; an
admin enables them again and replays, and a replay resends the very message (same webhook-id,
same body) through a fresh round of retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.usecases.context import NotificationsContext
from services.notifications.tests.notifications_support import District, SettableClock
from services.notifications.tests.webhook_support import (
    Answer,
    Receiver,
    dispatch_all,
    publish,
    subscribe,
)

pytestmark = pytest.mark.integration


async def _subscription(api: httpx.AsyncClient, district: District, sub: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.get(f"/v1/webhooks/{sub}", headers=district.admin())).json()
    return found


async def _statuses(api: httpx.AsyncClient, district: District, sub: str) -> list[str]:
    answer = await api.get(f"/v1/webhooks/{sub}/messages", headers=district.admin())
    return sorted(m["status"] for m in answer.json()["items"])


async def test_notifications_webhook_410_gone_disables_the_endpoint_at_once(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    receiver.answer(Answer(500))
    await publish(timed, hooked)
    await dispatch_all(timed, sender)  # waits for its retry
    clock.advance(seconds=10)
    receiver.answer(Answer(410), Answer(410))
    await publish(timed, hooked)  # sent in one batch with the first one's retry

    await dispatch_all(timed, sender)

    gone = await _subscription(api, hooked, sub["id"])
    assert (gone["enabled"], gone["disabled_reason"]) == (False, "gone")
    assert await _statuses(api, hooked, sub["id"]) == ["failed", "failed"]
    assert await publish(timed, hooked) == 0  # no longer subscribed
    clock.advance(days=1)
    await dispatch_all(timed, sender)
    assert len(receiver.received) == 3  # nothing after the 410s


async def test_notifications_webhook_five_days_of_failures_disable_the_endpoint(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    receiver.answer(*[Answer(503)] * 100)
    started = clock.now

    for _ in range(6):  # an event a day, each failing, with all retries due in between
        await publish(timed, hooked)
        await dispatch_all(timed, sender)
        state = await _subscription(api, hooked, sub["id"])
        if not state["enabled"]:
            break
        assert datetime.fromisoformat(state["failing_since"]) == started
        clock.advance(days=1)

    assert (state["enabled"], state["disabled_reason"]) == (False, "failing")
    assert clock.now - started == timedelta(days=5)
    assert set(await _statuses(api, hooked, sub["id"])) == {"failed"}


async def test_notifications_webhook_a_delivery_ends_a_run_of_failures(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    receiver.answer(Answer(503))
    await publish(timed, hooked)
    await dispatch_all(timed, sender)  # failing from day 0
    clock.advance(days=3)
    receiver.answer(Answer(200), Answer(200))
    await publish(timed, hooked)
    await dispatch_all(timed, sender)  # day 3: the retry and a new message delivered
    clock.advance(days=1)
    receiver.answer(*[Answer(503)] * 5)
    await publish(timed, hooked)
    await dispatch_all(timed, sender)  # failing again from day 4
    clock.advance(days=2)
    await publish(timed, hooked)
    await dispatch_all(timed, sender)  # day 6: six days after the first failure

    state = await _subscription(api, hooked, sub["id"])
    assert state["enabled"] is True
    assert datetime.fromisoformat(state["failing_since"]) == clock.now - timedelta(days=2)


async def test_notifications_webhook_a_replay_resends_the_same_message(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    clock.now = datetime.now(UTC)  # the replay is verified as a receiver would
    sub = await subscribe(api, hooked, receiver.url())
    await publish(timed, hooked)
    await dispatch_all(timed, sender)
    [message] = (
        await api.get(f"/v1/webhooks/{sub['id']}/messages", headers=hooked.admin())
    ).json()["items"]

    replayed = await api.post(
        f"/v1/webhooks/{sub['id']}/messages/{message['id']}/replay", headers=hooked.admin()
    )
    again = await api.post(
        f"/v1/webhooks/{sub['id']}/messages/{message['id']}/replay", headers=hooked.admin()
    )
    await dispatch_all(timed, sender)

    assert replayed.status_code == 202 and replayed.json()["status"] == "pending"
    assert again.status_code == 409  # still waiting: sent once more, not twice more
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message["id"]
    assert first.body == second.body
    assert second.verified_by(sub["secret"])
    attempts = await api.get(
        f"/v1/webhooks/{sub['id']}/messages/{message['id']}/attempts", headers=hooked.admin()
    )
    assert [a["number"] for a in attempts.json()["items"]] == [1, 1]  # a new round each


async def test_notifications_webhook_failed_messages_since_a_time_are_replayed_once_enabled(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    sub = await subscribe(api, hooked, receiver.url())
    before = clock.now
    receiver.answer(Answer(410))
    await publish(timed, hooked)
    await dispatch_all(timed, sender)
    await publish(timed, hooked)  # not queued: the endpoint is off
    replay = f"/v1/webhooks/{sub['id']}/replay"
    since = {"since": before.isoformat()}

    refused = await api.post(replay, json=since, headers=hooked.admin())
    enabled = await api.patch(
        f"/v1/webhooks/{sub['id']}", json={"enabled": True}, headers=hooked.admin()
    )
    replayed = await api.post(replay, json=since, headers=hooked.admin())
    later = await api.post(
        replay, json={"since": (clock.now + timedelta(hours=1)).isoformat()}, headers=hooked.admin()
    )
    await dispatch_all(timed, sender)

    assert refused.status_code == 409 and enabled.status_code == 200
    assert replayed.status_code == 202 and replayed.json() == {"replayed": 1}
    assert later.status_code == 422
    assert await _statuses(api, hooked, sub["id"]) == ["delivered"]
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
