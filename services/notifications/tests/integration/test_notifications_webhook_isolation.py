"""One district's webhooks are its own, twice over: the API answers another district's admin as
if they did not exist, and row-level security alone hides (and refuses to write) them to a
transaction bound to another district, whatever the SQL asks for."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from civicgrid_notifications.db.webhook_log_repo import WebhookLogRepository
from civicgrid_notifications.db.webhooks_repo import WebhooksRepository
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhooks import enqueue_for_event
from services.notifications.tests.notifications_support import District
from services.notifications.tests.webhook_support import (
    TICKET_CREATED,
    make_internal,
    publish,
    subscribe,
)

pytestmark = pytest.mark.integration

HOOK = "http://127.0.0.1:9/hook"


async def test_notifications_webhook_another_district_can_neither_see_nor_touch_them(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext
) -> None:
    made = await subscribe(api, hooked, HOOK)
    await publish(timed, hooked)
    [message] = (
        await api.get(f"/v1/webhooks/{made['id']}/messages", headers=hooked.admin())
    ).json()["items"]
    neighbour = District()
    await make_internal(api, neighbour)  # even with the same rights
    theirs = neighbour.admin()
    one = f"/v1/webhooks/{made['id']}"
    requests = [
        ("GET", one, None),
        ("PATCH", one, {"description": "mine now"}),
        ("PATCH", one, {"url": "http://127.0.0.1:10/stolen"}),
        ("DELETE", one, None),
        ("POST", f"{one}/secret/rotate", {}),
        ("GET", f"{one}/messages", None),
        ("GET", f"{one}/messages/{message['id']}", None),
        ("GET", f"{one}/messages/{message['id']}/attempts", None),
        ("POST", f"{one}/messages/{message['id']}/replay", None),
        ("POST", f"{one}/replay", {"since": "2020-01-01T00:00:00Z"}),
    ]

    for method, url, body in requests:
        answer = await api.request(method, url, json=body, headers=theirs)
        assert answer.status_code == 404, f"{method} {url}: {answer.text}"
    assert (await api.get("/v1/webhooks", headers=theirs)).json()["items"] == []
    # The neighbour's events never reach the first district's endpoint.
    assert await publish(timed, neighbour) == 0

    mine = await api.get(one, headers=hooked.admin())  # unchanged
    assert mine.json() == {k: v for k, v in made.items() if k != "secret"}


async def test_notifications_webhook_row_level_security_alone_hides_another_districts_hooks(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext
) -> None:
    made = await subscribe(api, hooked, HOOK)
    await publish(timed, hooked)
    subscription_id = uuid.UUID(made["id"])
    neighbour = uuid.uuid4()

    async with timed.uow(tenant_id=neighbour) as uow:
        # Repositories asked for the first district, in a transaction bound to the other.
        subscriptions = WebhooksRepository(uow.session, hooked.tenant_id)
        log = WebhookLogRepository(uow.session, hooked.tenant_id)
        assert await subscriptions.get(subscription_id) is None
        assert await subscriptions.page(None, 10) == []
        assert await subscriptions.secrets(subscription_id) is None
        assert await subscriptions.enabled_filters() == []
        assert await log.messages(subscription_id, None, None, 10) == []
        # No tenant in the SQL at all: only the database stands between the districts.
        for table in ("webhook_subscriptions", "webhook_messages", "webhook_attempts"):
            seen = await uow.session.execute(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            assert seen.scalar_one() == 0, table
        # An event of the first district, handled in the other's transaction, finds no one.
        assert await enqueue_for_event(uow, hooked.tenant_id, uuid.uuid4(), TICKET_CREATED, {}) == 0
        with pytest.raises(DBAPIError, match="row-level security"):
            await uow.session.execute(
                text(
                    "INSERT INTO webhook_subscriptions (id, tenant_id, url, secret)"
                    " VALUES (:id, :tenant, 'http://127.0.0.1:9/x', 'whsec_x')"
                ),
                {"id": uuid.uuid4(), "tenant": hooked.tenant_id},
            )

    async with timed.uow(tenant_id=hooked.tenant_id) as uow:
        assert await WebhooksRepository(uow.session, hooked.tenant_id).get(subscription_id)
