"""Webhook secrets at rest: stored sealed under the service key (never the secret's bytes),
still signing so the Standard Webhooks library verifies, both of them after a rotation; a key
that is not the one that sealed them signs nothing; secrets a release before sealing stored in
plaintext keep signing and are sealed by the district's upkeep."""

from __future__ import annotations

import base64
import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.db.tables_webhooks import webhook_attempts, webhook_subscriptions
from civicgrid_notifications.db.webhooks_repo import WebhooksRepository
from civicgrid_notifications.domain.webhooks import new_secret
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.retention import upkeep
from civicgrid_notifications.usecases.webhook_secrets import (
    WEBHOOK_SECRET_PURPOSE,
    SecretUnreadable,
    opened,
)
from civicgrid_notifications.usecases.webhooks import rotate_secret
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Conflict
from civicgrid_platform.sealing import Sealer
from services.notifications.tests.notifications_support import District, SettableClock
from services.notifications.tests.webhook_support import (
    Receiver,
    dispatch_all,
    publish,
    subscribe,
)

pytestmark = pytest.mark.integration

_S = webhook_subscriptions.c
ROTATE = "/v1/webhooks/{}/secret/rotate"


async def _stored(ctx: NotificationsContext, district: District, sub: str) -> Any:
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        query = select(
            _S.secret, _S.previous_secret, _S.secret_sealed, _S.previous_secret_sealed
        ).where(_S.id == uuid.UUID(sub))
        return (await uow.session.execute(query)).one()


def _holds(sealed: bytes, secret: str) -> bool:
    """Whether the secret, as text or as its key's bytes, is readable in `sealed`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode() in sealed or key in sealed or secret[6:].encode() in sealed


async def test_notifications_webhook_secrets_are_stored_sealed_never_as_the_secret(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext, clock: SettableClock
) -> None:
    clock.now = datetime.now(UTC)
    mine = new_secret()
    sub = await subscribe(api, hooked, "http://127.0.0.1:9/hook", secret=mine)
    assert sub["secret"] == mine  # shown once, when subscribing

    row = await _stored(timed, hooked, sub["id"])
    assert row.secret is None and row.previous_secret is None
    assert row.secret_sealed and not _holds(row.secret_sealed, mine)

    rotated = await api.post(ROTATE.format(sub["id"]), json={}, headers=hooked.admin())
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]  # and once when rotating
    row = await _stored(timed, hooked, sub["id"])
    assert row.secret is None and row.previous_secret is None
    assert not _holds(row.secret_sealed, new) and not _holds(row.previous_secret_sealed, mine)
    # The same secret sealed twice gives different bytes (a fresh nonce each time).
    assert row.previous_secret_sealed != (await _stored(timed, hooked, sub["id"])).secret_sealed

    # Read back, a subscription never shows a secret, sealed or not.
    for answer in (
        await api.get(f"/v1/webhooks/{sub['id']}", headers=hooked.admin()),
        await api.get("/v1/webhooks", headers=hooked.admin()),
    ):
        assert answer.status_code == 200
        assert mine not in answer.text and new not in answer.text
        assert 'secret"' not in answer.text.replace("previous_secret_expires_at", "")


async def test_notifications_webhook_sealed_secrets_both_sign_after_a_rotation(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    clock.now = datetime.now(UTC)  # receivers check the signing time against theirs
    sub = await subscribe(api, hooked, receiver.url())
    rotated = await api.post(ROTATE.format(sub["id"]), json={}, headers=hooked.admin())
    assert rotated.status_code == 200, rotated.text

    await publish(timed, hooked, order="after the rotation")
    await dispatch_all(timed, sender)

    [got] = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert got.verified_by(sub["secret"])["data"] == {"order": "after the rotation"}
    assert got.verified_by(rotated.json()["secret"])["data"] == {"order": "after the rotation"}


async def test_notifications_webhook_wrong_service_key_signs_nothing_and_says_so(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock.now = datetime.now(UTC)
    sub = await subscribe(api, hooked, receiver.url())
    wrong = replace(timed, webhook_sealer=Sealer("another-key-" + "x" * 32, WEBHOOK_SECRET_PURPOSE))

    # A rotation keeping the previous secret needs it: refused, nothing written.
    admin = Principal(
        subject=str(uuid.uuid4()),
        tenant_id=hooked.tenant,
        roles=frozenset({"tenant_admin"}),
        bindings=(),
        scopes=frozenset(),
        kind="person",
        token_id="test",
        expires_at=clock.now + timedelta(hours=1),
    )
    with pytest.raises(Conflict, match="previous_valid_seconds 0"):
        await rotate_secret(wrong, admin, uuid.UUID(sub["id"]))

    # The dispatcher sends nothing, records why, and logs it as an error.
    await publish(timed, hooked)
    with caplog.at_level(logging.ERROR):
        await dispatch_all(wrong, sender)
    assert receiver.received == []
    assert any("does not open" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    async with timed.uow(tenant_id=hooked.tenant_id) as uow:
        [attempt] = (await uow.session.execute(select(webhook_attempts))).all()
    assert attempt.outcome == "error" and attempt.error.startswith("secret: ")

    # The right key back in place: the retry (due after about 5 s) is delivered, signed with
    # the subscription's secret.
    clock.now = datetime.now(UTC) + timedelta(seconds=10)
    await dispatch_all(timed, sender)
    [got] = receiver.received
    assert got.verified_by(sub["secret"])

    # After a key change for good, a rotation that stops the old secret at once replaces it.
    replaced = await rotate_secret(wrong, admin, uuid.UUID(sub["id"]), previous_valid_seconds=0)
    clock.now = datetime.now(UTC)
    await publish(timed, hooked, after="the key changed")
    await dispatch_all(wrong, sender)
    assert receiver.received[-1].verified_by(replaced.secret)["data"] == {
        "after": "the key changed"
    }
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 1


async def test_notifications_webhook_sealed_secret_moved_to_another_subscription_does_not_open(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext
) -> None:
    first = await subscribe(api, hooked, "http://127.0.0.1:9/first")
    second = await subscribe(api, hooked, "http://127.0.0.1:9/second")
    async with timed.uow(tenant_id=hooked.tenant_id) as uow:
        sealed = (await _stored(timed, hooked, first["id"])).secret_sealed
        await uow.session.execute(
            update(webhook_subscriptions)
            .where(_S.id == uuid.UUID(second["id"]))
            .values(secret_sealed=sealed)
        )
        stored = await WebhooksRepository(uow.session, hooked.tenant_id).secrets(
            uuid.UUID(second["id"])
        )
        assert stored is not None
        assert timed.webhook_sealer is not None
        with pytest.raises(SecretUnreadable):
            opened(timed.webhook_sealer, stored)


async def test_notifications_webhook_plaintext_secrets_sign_until_the_upkeep_seals_them(
    api: httpx.AsyncClient,
    hooked: District,
    timed: NotificationsContext,
    clock: SettableClock,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    clock.now = datetime.now(UTC)
    sub = await subscribe(api, hooked, receiver.url())
    old, older = new_secret(), new_secret()
    # As the release before sealing stored them (or writes them during a rolling update).
    async with timed.uow(tenant_id=hooked.tenant_id) as uow:
        await uow.session.execute(
            update(webhook_subscriptions)
            .where(_S.id == uuid.UUID(sub["id"]))
            .values(
                secret=old,
                previous_secret=older,
                previous_secret_expires_at=clock.now.replace(year=clock.now.year + 1),
            )
        )
        await uow.commit()

    await publish(timed, hooked, n=1)
    await dispatch_all(timed, sender)
    assert receiver.received[-1].verified_by(old) and receiver.received[-1].verified_by(older)

    await upkeep(timed, hooked.tenant_id, clock.now)
    row = await _stored(timed, hooked, sub["id"])
    assert row.secret is None and row.previous_secret is None
    assert not _holds(row.secret_sealed, old) and not _holds(row.previous_secret_sealed, older)

    await publish(timed, hooked, n=2)
    await dispatch_all(timed, sender)
    assert receiver.received[-1].verified_by(old)["data"] == {"n": 2}
    assert receiver.received[-1].verified_by(older)["data"] == {"n": 2}
