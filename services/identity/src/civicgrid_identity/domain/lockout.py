"""Login lockout: too many failures in a window lock the key for a while, then unlock by time.

Kept per account and per source address, so guessing one password from many places and many
passwords from one place are both slowed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int
    window: timedelta
    lock_for: timedelta


ACCOUNT_POLICY = LockoutPolicy(
    max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15)
)
SOURCE_POLICY = LockoutPolicy(
    max_failures=30, window=timedelta(minutes=15), lock_for=timedelta(minutes=15)
)


@dataclass(frozen=True, slots=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None = None


def locked_until(state: ThrottleState | None, now: datetime) -> datetime | None:
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until


def after_failure(
    policy: LockoutPolicy, state: ThrottleState | None, now: datetime
) -> ThrottleState:
    if (
        state is None
        or now - state.window_started_at > policy.window
        or (state.locked_until is not None and state.locked_until <= now)
    ):
        state = ThrottleState(failures=0, window_started_at=now)
    failures = state.failures + 1
    lock = now + policy.lock_for if failures >= policy.max_failures else None
    return replace(state, failures=failures, locked_until=lock)
