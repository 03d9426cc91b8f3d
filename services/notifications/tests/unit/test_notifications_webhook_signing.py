"""Webhook secrets and signatures as the Standard Webhooks reference library reads them: every
message verifies with its subscription's secret, with both secrets while a rotation overlaps,
and only with the new one once the previous secret expired."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from civicgrid_notifications.domain.webhooks import (
    SigningSecrets,
    message_body,
    new_secret,
    rotation_overlap,
    secret_key,
    webhook_headers,
)
from civicgrid_platform.errors import InvalidInput

MSG_ID = "3f0c2b7e-0d2a-4a57-9a57-6f7d8c1b2a10"


def _body() -> str:
    return message_body(
        "civicgrid.tickets.v1.ticket.created",
        datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        {"ticket_id": "T-1", "description": "路灯不亮"},
    )


def test_notifications_webhook_new_secrets_are_whsec_base64_of_32_random_bytes() -> None:
    first, second = new_secret(), new_secret()

    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert secret_key(first) == base64.b64decode(first[6:])


@pytest.mark.parametrize(
    "secret",
    [
        "abc",  # no prefix
        "whsec_not*base64",
        "whsec_" + base64.b64encode(b"x" * 23).decode(),  # too short
        "whsec_" + base64.b64encode(b"x" * 65).decode(),  # too long
    ],
)
def test_notifications_webhook_malformed_secrets_are_refused_naming_the_secret(
    secret: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        secret_key(secret)
    assert refused.value.field == "secret"


def test_notifications_webhook_a_message_verifies_with_its_secret_and_no_other() -> None:
    secret, body, now = new_secret(), _body(), datetime.now(UTC)

    headers = webhook_headers(MSG_ID, body, SigningSecrets(secret), now)

    assert headers["webhook-id"] == MSG_ID
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify(body.encode(), headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body.encode(), headers)
    tampered = body.replace("T-1", "T-2")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered.encode(), headers)


def test_notifications_webhook_the_body_is_the_standard_envelope_in_compact_json() -> None:
    body = _body()

    assert json.loads(body) == {
        "type": "civicgrid.tickets.v1.ticket.created",
        "timestamp": "2026-11-26T09:30:00+00:00",
        "data": {"ticket_id": "T-1", "description": "路灯不亮"},
    }
    assert ", " not in body and "路灯不亮" in body  # compact, UTF-8 as is


def test_notifications_webhook_both_secrets_sign_while_a_rotation_overlaps() -> None:
    old, new, body = new_secret(), new_secret(), _body()
    rotated_at = datetime.now(UTC) - timedelta(hours=23)
    keys = SigningSecrets(old).rotated(new, rotated_at, timedelta(hours=24))

    headers = webhook_headers(MSG_ID, body, keys, datetime.now(UTC))

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body.encode(), headers)
    assert Webhook(new).verify(body.encode(), headers)


def test_notifications_webhook_only_the_new_secret_signs_once_the_previous_expired() -> None:
    old, new, body = new_secret(), new_secret(), _body()
    rotated_at = datetime.now(UTC) - timedelta(hours=24, seconds=1)
    keys = SigningSecrets(old).rotated(new, rotated_at, timedelta(hours=24))

    headers = webhook_headers(MSG_ID, body, keys, datetime.now(UTC))

    assert " " not in headers["webhook-signature"]
    assert Webhook(new).verify(body.encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body.encode(), headers)


def test_notifications_webhook_rotating_again_drops_the_oldest_secret_and_zero_overlap_all() -> (
    None
):
    first, second, third = new_secret(), new_secret(), new_secret()
    now = datetime(2026, 11, 26, tzinfo=UTC)

    twice = SigningSecrets(first).rotated(second, now, timedelta(hours=24))
    twice = twice.rotated(third, now + timedelta(hours=1), timedelta(hours=24))
    at_once = SigningSecrets(first).rotated(second, now, timedelta(0))

    assert twice.active(now + timedelta(hours=2)) == (third, second)
    assert at_once.active(now) == (second,)


@pytest.mark.parametrize("seconds", [-1, 7 * 86400 + 1])
def test_notifications_webhook_a_rotation_overlap_is_zero_to_seven_days(seconds: int) -> None:
    assert rotation_overlap(None) == timedelta(hours=24)
    assert rotation_overlap(0) == timedelta(0)
    with pytest.raises(InvalidInput) as refused:
        rotation_overlap(seconds)
    assert refused.value.field == "previous_valid_seconds"
