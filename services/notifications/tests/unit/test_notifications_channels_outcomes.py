"""What a provider's or mail server's answer means for a message: taken, refused for good
(failed), or worth another try (error); and the email as it leaves."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.header import decode_header, make_header

import aiosmtplib
import pytest

from civicgrid_notifications.adapters.http_provider import classify_answer, provider_name
from civicgrid_notifications.adapters.smtp_email import (
    DELIVERY_HEADER,
    build_email,
    classify_error,
)
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.ports import Outgoing
from civicgrid_notifications.usecases.provider_status import (
    delivery_reference,
    parse_delivery_reference,
)
from civicgrid_platform.errors import InvalidInput


@pytest.mark.parametrize(
    ("status", "content", "expected"),
    [
        (200, b'{"id": "m-1", "status": "queued"}', ("sent", "m-1")),
        (201, b'{"id": "m-2", "status": "sent"}', ("sent", "m-2")),
        (202, b'{"id": 77, "status": "delivered"}', ("delivered", "77")),
        (200, b"OK", ("sent", None)),  # taken: sending again could reach the person twice
        (200, b'{"status": "queued"}', ("sent", None)),
        (200, b'{"id": "' + b"x" * 129 + b'"}', ("sent", None)),  # longer than we can keep
        (400, b'{"error": "bad number"}', ("failed", None)),
        (404, b"", ("failed", None)),
        (422, b"", ("failed", None)),
        (408, b"", ("error", None)),
        (429, b"slow down", ("error", None)),
        (500, b"", ("error", None)),
        (503, b"", ("error", None)),
        (302, b"", ("error", None)),
    ],
)
def test_notifications_channels_provider_answers_map_to_outcomes(
    status: int, content: bytes, expected: tuple[str, str | None]
) -> None:
    outcome, ref, detail = classify_answer(status, content)

    assert (outcome, ref) == expected
    if outcome in ("failed", "error"):
        assert str(status) in detail


def test_notifications_channels_provider_detail_quotes_the_answer_briefly() -> None:
    _, _, detail = classify_answer(400, b'{"error": "number not served"}' + b" " * 1000 + b"x")

    assert detail.startswith('HTTP 400: {"error": "number not served"}')
    assert len(detail) < 320


def test_notifications_channels_providers_are_named_by_host_and_port() -> None:
    assert provider_name("https://sms.example.com/api/") == "sms.example.com:443"
    assert provider_name("http://127.0.0.1:8025") == "127.0.0.1:8025"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "5.1.1 no such user", "a@b.c")]
            ),
            ("failed", 550),
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(452, "4.2.2 mailbox full", "a@b.c")]
            ),
            ("error", 452),
        ),
        (aiosmtplib.SMTPRecipientRefused(551, "user not local", "a@b.c"), ("failed", 551)),
        (aiosmtplib.SMTPDataError(554, "5.7.1 rejected as spam"), ("failed", 554)),
        (aiosmtplib.SMTPDataError(451, "4.3.0 try later"), ("error", 451)),
        # Our own sender, login or greeting refused: ours to fix, not the recipient's fault.
        (aiosmtplib.SMTPSenderRefused(553, "sender not allowed", "x@y.z"), ("error", 553)),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), ("error", 535)),
        (aiosmtplib.SMTPConnectError("connection refused"), ("error", None)),
        (aiosmtplib.SMTPServerDisconnected("gone"), ("error", None)),
        (aiosmtplib.SMTPReadTimeoutError("timed out"), ("error", None)),
        (TimeoutError(), ("error", None)),
        (ConnectionRefusedError(111, "refused"), ("error", None)),
    ],
)
def test_notifications_channels_smtp_errors_map_to_outcomes(
    error: Exception, expected: tuple[str, int | None]
) -> None:
    outcome, code, detail = classify_error(error)

    assert (outcome, code) == expected
    assert detail


def _outgoing(address: str = "wang.fang@example.org", **changes: object) -> Outgoing:
    values: dict[str, object] = {
        "delivery_id": uuid.UUID("3f0d8b8e-0c1a-4c55-9c2f-1b2a3c4d5e6f"),
        "tenant_id": uuid.uuid4(),
        "channel": Channel.EMAIL,
        "address": address,
        "subject": "工单即将到期：2026-000123",
        "body": "王芳您好：\n\n工单2026-000123将于2026年12月1日 09:30到期。",
        "locale": "zh-CN",
        "urgent": False,
    }
    values.update(changes)
    return Outgoing(**values)  # type: ignore[arg-type]


def test_notifications_channels_the_email_carries_utf8_and_the_delivery_id() -> None:
    sent_at = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    email = build_email(_outgoing(urgent=True), "CivicGrid <no-reply@civicgrid.example>", sent_at)

    raw = email.as_bytes()
    assert raw.isascii()  # encoded for any mail system on the way
    assert str(make_header(decode_header(email["Subject"]))) == "工单即将到期：2026-000123"
    assert email["Message-ID"] == "<3f0d8b8e-0c1a-4c55-9c2f-1b2a3c4d5e6f@civicgrid.example>"
    assert email[DELIVERY_HEADER] == "3f0d8b8e-0c1a-4c55-9c2f-1b2a3c4d5e6f"
    assert email["Importance"] == "high"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email.get_content().startswith("王芳您好：")


@pytest.mark.parametrize(
    "address", ["", "not an address", "a@b.c\r\nBcc: everyone@example.org", "x <a@b.c>"]
)
def test_notifications_channels_an_address_that_is_no_address_is_refused(address: str) -> None:
    with pytest.raises(ValueError):
        build_email(_outgoing(address), "no-reply@civicgrid.example", datetime.now(UTC))


def test_notifications_channels_the_reference_names_district_and_delivery() -> None:
    tenant, delivery = uuid.uuid4(), uuid.uuid4()

    assert parse_delivery_reference(delivery_reference(tenant, delivery)) == (tenant, delivery)
    for bad in ("", str(delivery), f"{tenant}:", f"x:{delivery}", f"{tenant}:{delivery}:1"):
        with pytest.raises(InvalidInput) as refused:
            parse_delivery_reference(bad)
        assert refused.value.field == "reference"
