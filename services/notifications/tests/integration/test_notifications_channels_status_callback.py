"""Providers report what became of a message: the callback, authenticated by the provider
token, marks the delivery delivered or failed and records it among its attempts; a wrong
token, a repeat, a late word about another try or another district's reference change
nothing."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select, text

from civicgrid.notifications.v1 import events_pb2
from civicgrid_notifications.adapters.http_provider import FallbackSender
from civicgrid_notifications.db.tables import deliveries, delivery_attempts
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.ports import Outgoing
from services.notifications.tests.integration.test_notifications_channels_sms_voice import (
    FakeProvider,
)
from services.notifications.tests.notifications_support import District

pytestmark = pytest.mark.integration

TOKEN = "provider-token-for-tests"
STATUS = "/v1/providers/status"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def provider_app(app: FastAPI) -> FastAPI:
    app.state.provider_token = TOKEN  # as app.py sets it from settings.provider_token
    return app


async def a_delivery(
    ctx: NotificationsContext,
    district: District,
    *,
    status: str = "sent",
    provider_ref: str | None = "msg-1",
    attempts: int = 1,
) -> uuid.UUID:
    delivery_id = uuid.uuid4()
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        await uow.session.execute(
            insert(deliveries).values(
                id=delivery_id,
                tenant_id=district.tenant_id,
                event_id=uuid.uuid4(),
                event_type="alert.raised",
                recipient=f"contact:{uuid.uuid4()}",
                channel="sms",
                category="alerts",
                urgent=True,
                locale="zh-CN",
                body="【东城区】紧急求助！",
                address="+8613800138000",
                status=status,
                attempts=attempts,
                max_attempts=6,
                provider="127.0.0.1:9999" if attempts else None,
                provider_ref=provider_ref,
            )
        )
        await uow.commit()
    return delivery_id


async def delivery_state(
    ctx: NotificationsContext, district: District, delivery_id: uuid.UUID
) -> dict[str, Any]:
    d, a = deliveries.c, delivery_attempts.c
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        row = (
            await uow.session.execute(
                select(d.status, d.provider_ref, d.last_error, d.finished_at).where(
                    d.id == delivery_id
                )
            )
        ).one()
        tries = await uow.session.execute(
            select(a.number, a.provider, a.outcome, a.detail)
            .where(a.delivery_id == delivery_id)
            .order_by(a.id)
        )
        return {**row._asdict(), "attempts": [tuple(t) for t in tries]}


async def failed_events(
    ctx: NotificationsContext, district: District
) -> list[events_pb2.DeliveryFailed]:
    async with ctx.uow(tenant_id=None) as uow:  # the outbox has no RLS: the relay reads all
        rows = await uow.session.execute(
            text("SELECT headers, payload FROM event_outbox WHERE tenant_id = :t ORDER BY id"),
            {"t": district.tenant_id},
        )
        return [
            events_pb2.DeliveryFailed.FromString(payload)
            for headers, payload in rows
            if headers["ce_type"].endswith(".delivery.failed")
        ]


def callback(
    district: District, delivery_id: uuid.UUID, status: str, ref: str = "msg-1", **extra: Any
) -> dict[str, Any]:
    reference = f"{district.tenant}:{delivery_id}"
    return {"id": ref, "reference": reference, "status": status, **extra}


@pytest.mark.usefixtures("provider_app")
async def test_notifications_channels_a_delivered_callback_marks_the_delivery_delivered(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    delivery_id = await a_delivery(timed, district)

    answer = await api.post(
        STATUS, json=callback(district, delivery_id, "delivered", detail="DELIVRD"), headers=BEARER
    )

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "delivery_id": str(delivery_id),
        "status": "delivered",
        "applied": True,
    }
    state = await delivery_state(timed, district, delivery_id)
    assert state["status"] == "delivered" and state["finished_at"] is not None
    assert state["attempts"] == [(1, "127.0.0.1:9999", "delivered", "DELIVRD")]
    assert await failed_events(timed, district) == []


@pytest.mark.usefixtures("provider_app")
async def test_notifications_channels_a_failed_callback_fails_the_delivery_and_says_so(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    delivery_id = await a_delivery(timed, district, attempts=2)

    answer = await api.post(
        STATUS,
        json=callback(district, delivery_id, "failed", detail="number does not exist"),
        headers=BEARER,
    )

    assert answer.json()["status"] == "failed"
    state = await delivery_state(timed, district, delivery_id)
    assert (state["status"], state["last_error"]) == ("failed", "number does not exist")
    assert state["attempts"] == [(2, "127.0.0.1:9999", "failed", "number does not exist")]
    [announced] = await failed_events(timed, district)
    assert (announced.delivery_id, announced.attempts) == (str(delivery_id), 2)
    assert (announced.channel, announced.last_error) == ("sms", "number does not exist")


async def test_notifications_channels_a_wrong_or_missing_provider_token_is_refused(
    provider_app: FastAPI, api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    delivery_id = await a_delivery(timed, district)
    body = callback(district, delivery_id, "delivered")

    refused = [
        await api.post(STATUS, json=body, headers={"Authorization": "Bearer not-the-token"}),
        await api.post(STATUS, json=body, headers={"Authorization": f"Basic {TOKEN}"}),
        await api.post(STATUS, json=body, headers={"Authorization": "Bearer 令牌".encode()}),
        await api.post(STATUS, json=body),
        await api.post(STATUS, json={"garbage": True}, headers={"Authorization": "Bearer x"}),
    ]
    provider_app.state.provider_token = ""  # none configured: no token opens the door
    refused.append(await api.post(STATUS, json=body, headers={"Authorization": "Bearer "}))

    for answer in refused:
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    state = await delivery_state(timed, district, delivery_id)
    assert (state["status"], state["attempts"]) == ("sent", [])


@pytest.mark.usefixtures("provider_app")
async def test_notifications_channels_repeats_and_late_words_change_nothing(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    delivered = await a_delivery(timed, district)
    retrying = await a_delivery(timed, district, status="queued", provider_ref=None)

    first = await api.post(STATUS, json=callback(district, delivered, "delivered"), headers=BEARER)
    repeat = await api.post(STATUS, json=callback(district, delivered, "delivered"), headers=BEARER)
    contradiction = await api.post(
        STATUS, json=callback(district, delivered, "failed"), headers=BEARER
    )
    other_try = await api.post(
        STATUS, json=callback(district, delivered, "delivered", ref="msg-0"), headers=BEARER
    )
    # A queued delivery keeps its planned retry when one provider says failed.
    not_final = await api.post(STATUS, json=callback(district, retrying, "failed"), headers=BEARER)

    assert first.json()["applied"] is True
    for answer in (repeat, contradiction, other_try):
        assert answer.status_code == 200
        assert (answer.json()["status"], answer.json()["applied"]) == ("delivered", False)
    assert (not_final.json()["status"], not_final.json()["applied"]) == ("queued", False)
    assert len((await delivery_state(timed, district, delivered))["attempts"]) == 1
    assert (await delivery_state(timed, district, retrying))["attempts"] == []


@pytest.mark.usefixtures("provider_app")
async def test_notifications_channels_a_delivery_retried_after_an_error_can_still_arrive(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    """The provider timed out on us but sent the SMS: its word ends the retries."""
    delivery_id = await a_delivery(timed, district, status="queued", provider_ref=None)

    answer = await api.post(
        STATUS, json=callback(district, delivery_id, "delivered", ref="late-7"), headers=BEARER
    )

    assert answer.json()["applied"] is True
    state = await delivery_state(timed, district, delivery_id)
    assert (state["status"], state["provider_ref"]) == ("delivered", "late-7")


@pytest.mark.usefixtures("provider_app")
async def test_notifications_channels_a_reference_outside_the_district_finds_nothing(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    delivery_id = await a_delivery(timed, district)
    other_district = {**callback(district, delivery_id, "delivered")}
    other_district["reference"] = f"{uuid.uuid4()}:{delivery_id}"

    elsewhere = await api.post(STATUS, json=other_district, headers=BEARER)
    unknown = await api.post(
        STATUS, json=callback(district, uuid.uuid4(), "delivered"), headers=BEARER
    )
    malformed = await api.post(
        STATUS,
        json={**callback(district, delivery_id, "delivered"), "reference": str(delivery_id)},
        headers=BEARER,
    )
    bad_status = await api.post(
        STATUS, json=callback(district, delivery_id, "queued"), headers=BEARER
    )

    assert elsewhere.status_code == 404
    assert unknown.status_code == 404
    assert malformed.status_code == 422
    assert [e["field"] for e in malformed.json()["errors"]] == ["reference"]
    assert bad_status.status_code == 422
    assert (await delivery_state(timed, district, delivery_id))["status"] == "sent"


@pytest.mark.usefixtures("provider_app")
async def test_notifications_channels_a_message_sent_through_a_provider_comes_back_delivered(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    """The whole round: the reference we send is the one the callback brings back."""
    delivery_id = await a_delivery(timed, district, status="queued", provider_ref=None, attempts=0)
    provider = FakeProvider()
    try:
        async with httpx.AsyncClient() as client:
            sender = FallbackSender.over(
                [provider.url()], token=TOKEN, public_url="http://notifications", client=client
            )
            result = await sender.send(
                Outgoing(
                    delivery_id,
                    district.tenant_id,
                    Channel.SMS,
                    "+8613800138000",
                    "",
                    "【东城区】紧急求助！",
                    "zh-CN",
                    True,
                )
            )
    finally:
        provider.close()
    async with timed.uow(tenant_id=district.tenant_id) as uow:  # as the dispatcher records it
        await uow.session.execute(
            deliveries.update()
            .where(deliveries.c.id == delivery_id)
            .values(
                status="sent",
                attempts=1,
                provider=result.final.provider,
                provider_ref=result.final.provider_ref,
            )
        )
        await uow.commit()
    [sent] = provider.received

    answer = await api.post(
        sent.body["callback_url"].removeprefix("http://notifications"),
        json={
            "id": result.final.provider_ref,
            "reference": sent.body["reference"],
            "status": "delivered",
            "detail": "",
            "operator": "extra fields are fine",
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    assert answer.json()["applied"] is True
    state = await delivery_state(timed, district, delivery_id)
    assert state["status"] == "delivered"
    assert state["attempts"] == [(1, provider.name, "delivered", "")]
