"""Integrators' webhooks as the Standard Webhooks specification has them: secrets, signatures,
event-type filters, the retry schedule, and when an endpoint is switched off. Pure rules: no I/O.

- A secret is `whsec_` + base64 of 24 to 64 random bytes; the bytes are the HMAC-SHA256 key.
- A message is signed over "{webhook-id}.{webhook-timestamp}.{body}" as `v1,<base64 MAC>`.
  After a rotation the previous secret keeps signing beside the new one (signatures separated
  by a space) until it expires, so receivers can switch secrets without losing a message.
- A failed attempt is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (each
  +/- 20 % jitter, so endpoints that failed together do not retry together): eight attempts
  over about 27 hours, then the message is failed (and can be replayed).
- An endpoint answering 410 Gone is disabled at once. One whose every attempt has failed for
  five days since its first failure after its last success is disabled too; a success resets
  the count. A disabled endpoint's waiting messages are failed; enabling it again and replaying
  its failed messages since a time recovers them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from civicgrid_platform.errors import InvalidInput

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64
MAX_FILTERS = 50
MAX_FILTER_LENGTH = 128
# "civicgrid.tickets.v1.ticket.created", or a prefix wildcard "civicgrid.tickets.v1.*".
_FILTER = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*(?:\.\*)?$")

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
JITTER = 0.2
FAILING_LIMIT = timedelta(days=5)
ROTATION_OVERLAP = timedelta(hours=24)
MAX_ROTATION_OVERLAP = timedelta(days=7)

# A message's states, and why an endpoint was disabled (by itself, or by its district's admin).
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
MESSAGE_STATES = (PENDING, DELIVERED, FAILED)
GONE, FAILING, BY_ADMIN = "gone", "failing", "admin"
# The timer (timers.kind, at most 24 characters) of a message waiting for its next attempt.
WEBHOOK_TIMER = "webhook_message"


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    """The dispatcher's knobs; the defaults are the ones documented above."""

    retry_delays: tuple[timedelta, ...] = RETRY_DELAYS
    jitter: float = JITTER
    failing_limit: timedelta = FAILING_LIMIT
    # How long a dispatcher owns the messages it took: longer than any send can last, so a
    # crashed dispatcher's messages come due again after it, and a live one's never do.
    lease: timedelta = timedelta(minutes=2)

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1

    @property
    def send_budget(self) -> timedelta:
        """How long a batch may spend sending, well inside its lease: a message still waiting
        for its turn then (a slow endpoint's queue) is not sent, and counts as timed out."""
        return self.lease * 0.8


# Secrets


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_` secret; InvalidInput naming `secret` when it is none."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidInput(f"a secret starts with {SECRET_PREFIX}", field="secret")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("a secret is whsec_ and base64", field="secret") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise InvalidInput(
            f"a secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes", field="secret"
        )
    return key


@dataclass(frozen=True, slots=True)
class SigningSecrets:
    current: str
    previous: str | None = None
    previous_expires_at: datetime | None = None

    def active(self, now: datetime) -> tuple[str, ...]:
        """The secrets that sign at `now`: the current one, and the previous until it expires."""
        if self.previous and self.previous_expires_at and now < self.previous_expires_at:
            return (self.current, self.previous)
        return (self.current,)

    def rotated(self, new: str, now: datetime, overlap: timedelta) -> SigningSecrets:
        """`new` signs from now on; the current one keeps signing for `overlap` (none: stops
        at once). A secret still overlapping from an earlier rotation stops now."""
        if overlap <= timedelta(0):
            return SigningSecrets(new)
        return replace(self, current=new, previous=self.current, previous_expires_at=now + overlap)


# Signatures and the message


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    mac = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def webhook_headers(msg_id: str, body: str, keys: SigningSecrets, now: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt, signed at `now`."""
    timestamp = int(now.timestamp())
    signatures = " ".join(sign(s, msg_id, timestamp, body) for s in keys.active(now))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def message_body(event_type: str, occurred_at: datetime, data: Mapping[str, Any]) -> str:
    """The body Standard Webhooks recommends: type, timestamp, data. Written once per message,
    so every retry sends (and signs) the very same bytes."""
    envelope = {"type": event_type, "timestamp": occurred_at.isoformat(), "data": data}
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False, default=_json_value)


# Filters


def checked_filters(filters: Sequence[str]) -> tuple[str, ...]:
    """Event-type filters, deduplicated in order; none means every event."""
    unique = tuple(dict.fromkeys(filters))
    if len(unique) > MAX_FILTERS:
        raise InvalidInput(f"at most {MAX_FILTERS} event types", field="event_types")
    for item in unique:
        if len(item) > MAX_FILTER_LENGTH or not _FILTER.fullmatch(item):
            raise InvalidInput(
                f"{item[:40]!r} is not an event type (civicgrid.tickets.v1.ticket.created) or "
                "a prefix ending in .* (civicgrid.tickets.v1.*)",
                field="event_types",
            )
    return unique


def matches(filters: Sequence[str], event_type: str) -> bool:
    if not filters:
        return True
    for item in filters:
        if item.endswith(".*"):
            if event_type.startswith(item[:-1]):
                return True
        elif item == event_type:
            return True
    return False


# Attempts, retries and disabling


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GONE = "gone"


def verdict(status_code: int | None) -> Verdict:
    """Any 2xx delivers; 410 Gone says the endpoint is no more; the rest (3xx included, as
    redirects are not followed; no answer at all) is tried again."""
    if status_code is not None and 200 <= status_code < 300:
        return Verdict.DELIVERED
    if status_code == 410:
        return Verdict.GONE
    return Verdict.RETRY


def next_attempt_at(
    attempts: int, now: datetime, policy: WebhookPolicy, draw: Callable[[], float]
) -> datetime | None:
    """When to try again after `attempts` failed ones; None once the schedule is spent.
    `draw` gives a number in [0, 1) (random.random) for the jitter."""
    if attempts >= policy.max_attempts:
        return None
    delay = policy.retry_delays[attempts - 1]
    spread = 1 + policy.jitter * (2 * draw() - 1)
    return now + delay * spread


def failing_too_long(failing_since: datetime | None, now: datetime, policy: WebhookPolicy) -> bool:
    return failing_since is not None and now - failing_since >= policy.failing_limit


def rotation_overlap(seconds: int | None) -> timedelta:
    """How long the previous secret keeps signing after a rotation (default 24 h, at most 7 d)."""
    if seconds is None:
        return ROTATION_OVERLAP
    overlap = timedelta(seconds=seconds)
    if not timedelta(0) <= overlap <= MAX_ROTATION_OVERLAP:
        raise InvalidInput("between 0 and 7 days", field="previous_valid_seconds")
    return overlap
