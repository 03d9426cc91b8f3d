"""Email leaves through a real SMTP server (aiosmtpd on 127.0.0.1): it arrives with its UTF-8
subject and body and the delivery's headers; a refused recipient fails for good, a busy one or
an unreachable or silent server is tried again later; STARTTLS and login work when set."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from civicgrid_notifications.adapters.smtp_email import SmtpEmailSender
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.ports import Outgoing
from civicgrid_testkit.processes import LOOPBACK, find_free_port

pytestmark = pytest.mark.integration

MAIL_FROM = "东城区 CivicGrid <no-reply@dongcheng.civicgrid.example>"


@dataclass
class Mailbox:
    """What the SMTP server accepted; RCPT TO answers by local part: nobody -> 550, busy -> 451."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        wire = envelope.original_content.replace(b"\r\n", b"\n")
        parsed = message_from_bytes(wire, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Ok: queued as TEST42"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), find_free_port()
    controller = Controller(box, hostname=LOOPBACK, port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def outgoing(address: str, **changes: Any) -> Outgoing:
    values: dict[str, Any] = {
        "delivery_id": uuid.uuid4(),
        "tenant_id": uuid.uuid4(),
        "channel": Channel.EMAIL,
        "address": address,
        "subject": "工单即将到期：2026-000123",
        "body": "王芳您好：\n\n工单2026-000123（路灯）将于2026年12月1日 09:30到期，请抓紧办理。",
        "locale": "zh-CN",
        "urgent": True,
    }
    values.update(changes)
    return Outgoing(**values)


def sender(port: int, **options: Any) -> SmtpEmailSender:
    return SmtpEmailSender(host=LOOPBACK, port=port, mail_from=MAIL_FROM, **options)


async def test_notifications_channels_an_email_arrives_with_its_chinese_text_and_headers(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    message = outgoing("wang.fang@example.org")

    result = await sender(port).send(message)

    [tried] = result.tries
    assert (tried.outcome, tried.status_code, tried.provider) == (
        "sent",
        250,
        f"smtp:{LOOPBACK}:{port}",
    )
    assert "TEST42" in tried.detail
    [(envelope_from, envelope_to, email)] = box.received
    assert (envelope_from, envelope_to) == (
        "no-reply@dongcheng.civicgrid.example",
        ["wang.fang@example.org"],
    )
    assert email["Subject"] == "工单即将到期：2026-000123"
    assert email["From"] == MAIL_FROM
    assert email["To"] == "wang.fang@example.org"
    assert email["Message-ID"] == f"<{message.delivery_id}@dongcheng.civicgrid.example>"
    assert email["X-CivicGrid-Delivery"] == str(message.delivery_id)
    assert (email["Content-Language"], email["Importance"]) == ("zh-CN", "high")
    assert email.get_content_type() == "text/plain"
    assert email.get_content().rstrip("\n") == message.body


async def test_notifications_channels_plain_english_email_arrives_too(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    message = outgoing(
        "li.wei@example.org", subject="Case due soon", body="Hello,\n\nPlease act.", urgent=False
    )

    result = await sender(port).send(message)

    assert result.final.outcome == "sent"
    [(_, _, email)] = box.received
    assert (email["Subject"], email.get_content().rstrip("\n")) == ("Case due soon", message.body)
    assert email["Importance"] is None


async def test_notifications_channels_a_refused_recipient_fails_and_a_busy_one_is_retried(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox

    refused = await sender(port).send(outgoing("nobody@example.org"))
    busy = await sender(port).send(outgoing("busy@example.org"))
    not_an_address = await sender(port).send(outgoing("wang.fang@example.org\r\nBcc: x@y.z"))

    assert (refused.final.outcome, refused.final.status_code) == ("failed", 550)
    assert "No such user" in refused.final.detail
    assert (busy.final.outcome, busy.final.status_code) == ("error", 451)
    assert not_an_address.final.outcome == "failed"
    assert box.received == []


async def test_notifications_channels_no_server_or_a_silent_one_is_an_error_to_retry() -> None:
    nothing_listens = await sender(find_free_port()).send(outgoing("wang.fang@example.org"))

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never greets; waits until the client gives up
        writer.close()

    server = await asyncio.start_server(silent, LOOPBACK, 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        silence = await sender(port, timeout_seconds=0.5).send(outgoing("wang.fang@example.org"))

    assert nothing_listens.final.outcome == "error"
    assert (silence.final.outcome, silence.final.status_code) == ("error", None)
    assert "time" in silence.final.detail.lower()


@dataclass
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


def self_signed(directory: Path) -> Tls:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "civicgrid test smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return Tls(server, ssl.create_default_context(cafile=str(cert_file)))


@pytest.fixture
async def guarded_mailbox(tmp_path: Path) -> AsyncIterator[tuple[Mailbox, int, Tls, list[str]]]:
    """A server that insists on STARTTLS before anything and on a login before mail."""
    tls = self_signed(tmp_path)
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        logins.append(data.login.decode())
        # handled=False: the server answers 535 itself.
        ok = data == LoginPassword(b"civicgrid", "s3cret-é".encode())
        return AuthResult(success=ok, handled=False)

    box, port = Mailbox(), find_free_port()
    controller = Controller(
        box,
        hostname=LOOPBACK,
        port=port,
        tls_context=tls.server,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    controller.start()
    try:
        yield box, port, tls, logins
    finally:
        controller.stop()


async def test_notifications_channels_starttls_and_login_when_configured(
    guarded_mailbox: tuple[Mailbox, int, Tls, list[str]],
) -> None:
    box, port, tls, logins = guarded_mailbox
    configured = {"starttls": True, "username": "civicgrid", "tls_context": tls.client}

    sent = await sender(port, password="s3cret-é", **configured).send(outgoing("a@example.org"))
    wrong = await sender(port, password="guess", **configured).send(outgoing("b@example.org"))
    plain = await sender(port).send(outgoing("c@example.org"))

    assert sent.final.outcome == "sent", sent.final.detail
    assert [to for _, to, _ in box.received] == [["a@example.org"]]
    assert logins[0] == "civicgrid"
    assert (wrong.final.outcome, wrong.final.status_code) == ("error", 535), wrong.final.detail
    assert plain.final.outcome == "error"  # the server wants TLS first: ours to fix, not theirs
