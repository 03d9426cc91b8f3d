"""Email over SMTP (aiosmtplib): one connection per message, STARTTLS and login when configured.

The message is text/plain in UTF-8 (templates render plain text; there is no HTML part), with
the subject encoded for any language, and these headers:
- Message-ID <delivery id@mail_from's domain>: the same on every try of one delivery, so a
  mail system that got the first try too can tell the second is no new message;
- X-CivicGrid-Delivery: the delivery id, to trace a message back from a mailbox or a bounce;
- Auto-Submitted: auto-generated (RFC 3834), so vacation replies stay away; Content-Language;
- Importance: high on urgent messages (alerts, missed deadlines).

What the server's answer means for the message:
- accepted: "sent";
- the recipient refused permanently (5xx to RCPT TO), or the message refused permanently
  (5xx after DATA: too large, rejected as spam): "failed";
- anything else ("error", tried again later): no connection, a timeout, a 4xx (greylisting, a
  full mailbox), and refusals of our own sender, login or TLS: those are ours to fix, not a
  reason to give up on the recipient."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from civicgrid_notifications.usecases.context import utc_now
from civicgrid_notifications.usecases.ports import Outgoing, ProviderTry, SendResult, TryOutcome

DELIVERY_HEADER = "X-CivicGrid-Delivery"
_NAME_LENGTH = 64
_DETAIL_LENGTH = 300


def build_email(message: Outgoing, mail_from: str, sent_at: datetime) -> EmailMessage:
    """The MIME message; ValueError for an address or subject that cannot be a header."""
    _, recipient = parseaddr(message.address)
    if "@" not in recipient or recipient != message.address.strip():
        raise ValueError(f"not an email address: {message.address!r}")
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(sent_at)
    email["Message-ID"] = f"<{message.delivery_id}@{_domain_of(mail_from)}>"
    email[DELIVERY_HEADER] = str(message.delivery_id)
    email["Auto-Submitted"] = "auto-generated"
    if message.urgent:
        email["Importance"] = "high"
    # base64 for non-ASCII text: 8bit would need every relay on the way to offer 8BITMIME.
    email.set_content(
        message.body, charset="utf-8", cte="7bit" if message.body.isascii() else "base64"
    )
    email["Content-Language"] = message.locale  # after set_content, which clears Content-*
    return email


def _domain_of(mail_from: str) -> str:
    _, address = parseaddr(mail_from)
    try:
        return Address(addr_spec=address).domain or "civicgrid.local"
    except (ValueError, IndexError):
        return "civicgrid.local"


def classify_error(error: Exception) -> tuple[TryOutcome, int | None, str]:
    """(outcome, SMTP reply code, detail) for what aiosmtplib raised."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        permanent = 500 <= error.code < 600
        what = "recipient" if isinstance(error, aiosmtplib.SMTPRecipientRefused) else "message"
        detail = f"{what} refused: {error.code} {error.message}"
        return ("failed" if permanent else "error"), error.code, detail
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return "error", error.code, f"{type(error).__name__}: {error.code} {error.message}"
    if isinstance(error, TimeoutError):
        return "error", None, f"timed out: {error}".rstrip(": ")
    return "error", None, f"{type(error).__name__}: {error}"


class SmtpEmailSender:
    """A Sender of email through one SMTP server."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        mail_from: str,
        starttls: bool = False,
        username: str = "",
        password: str = "",
        timeout_seconds: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.name = f"smtp:{host}:{port}"[:_NAME_LENGTH]
        self._host, self._port = host, port
        self._mail_from = mail_from
        self._envelope_from = parseaddr(mail_from)[1]
        self._starttls = starttls
        self._login = (username, password) if username else (None, None)
        self._timeout = timeout_seconds
        self._tls_context = tls_context
        # Our EHLO name; left to aiosmtplib it would be a blocking DNS lookup of our own host.
        self._local_hostname = _domain_of(mail_from)
        self._clock = clock

    async def send(self, message: Outgoing) -> SendResult:
        started = self._clock()
        try:
            email = build_email(message, self._mail_from, started)
        except ValueError as error:
            return self._result(started, "failed", None, str(error))
        username, password = self._login
        try:
            # The whole exchange within the timeout, not only each command.
            async with asyncio.timeout(self._timeout):
                _, answer = await aiosmtplib.send(
                    email,
                    sender=self._envelope_from,
                    recipients=[message.address.strip()],
                    hostname=self._host,
                    port=self._port,
                    username=username,
                    password=password,
                    start_tls=self._starttls,
                    tls_context=self._tls_context,
                    local_hostname=self._local_hostname,
                    timeout=self._timeout,
                )
        except (aiosmtplib.SMTPException, OSError) as error:  # TimeoutError is an OSError
            outcome, code, detail = classify_error(error)
            return self._result(started, outcome, code, detail)
        # The server's answer to DATA, e.g. "2.0.0 Ok: queued as 4F1A2B": its own message id.
        return self._result(started, "sent", 250, answer)

    def _result(
        self, started: datetime, outcome: TryOutcome, code: int | None, detail: str
    ) -> SendResult:
        tried = ProviderTry(
            provider=self.name,
            outcome=outcome,
            started_at=started,
            finished_at=self._clock(),
            status_code=code,
            detail=detail[:_DETAIL_LENGTH],
        )
        return SendResult((tried,))
