"""A delivery's life: queued -> sending -> sent -> delivered, or failed after its last attempt;
suppressed when nobody can be reached on that channel (no phone number, no email)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicgrid_platform.events.retry import backoff_delay

QUEUED = "queued"
SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"
SUPPRESSED = "suppressed"
FINAL = frozenset({DELIVERED, FAILED, SUPPRESSED})


@dataclass(frozen=True, slots=True)
class NextStep:
    """What a delivery becomes after one attempt."""

    status: str
    retry_at: datetime | None = None


def after_attempt(
    outcome: str,
    attempts: int,
    max_attempts: int,
    now: datetime,
    *,
    base: float,
    cap: float,
    jitter: Callable[[], float] | None = None,
) -> NextStep:
    """`attempts` counts the one just made. A provider's "error" is tried again with
    exponential backoff and jitter until max_attempts; "failed" is final at once."""
    if outcome in (SENT, DELIVERED):
        return NextStep(outcome)
    if outcome == FAILED or attempts >= max_attempts:
        return NextStep(FAILED)
    delay = (
        backoff_delay(attempts, base=base, cap=cap)
        if jitter is None
        else backoff_delay(attempts, base=base, cap=cap, jitter=jitter)
    )
    return NextStep(QUEUED, now + timedelta(seconds=delay))
