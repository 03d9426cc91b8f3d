"""Login lockout: failures within a window lock for a while, and the lock lifts by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civicgrid_identity.domain.lockout import (
    ACCOUNT_POLICY,
    SOURCE_POLICY,
    LockoutPolicy,
    ThrottleState,
    after_failure,
    locked_until,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))


def fail(times: int, *, start: ThrottleState | None = None, at: datetime = T0, every=timedelta(0)):
    state = start
    for i in range(times):
        state = after_failure(POLICY, state, at + i * every)
    assert state is not None
    return state


def test_the_production_policies():
    assert (ACCOUNT_POLICY.max_failures, ACCOUNT_POLICY.window, ACCOUNT_POLICY.lock_for) == (
        5,
        timedelta(minutes=15),
        timedelta(minutes=15),
    )
    # One address may make more mistakes (a shared NAT), but not endlessly.
    assert SOURCE_POLICY.max_failures == 30
    assert SOURCE_POLICY.lock_for == timedelta(minutes=15)


def test_nothing_recorded_means_not_locked():
    assert locked_until(None, T0) is None


def test_failures_below_the_limit_do_not_lock():
    state = fail(4, every=timedelta(minutes=1))
    assert state.failures == 4
    assert state.window_started_at == T0
    assert state.locked_until is None
    assert locked_until(state, T0 + timedelta(minutes=4)) is None


def test_the_fifth_failure_within_the_window_locks_for_the_lock_time():
    state = fail(5, every=timedelta(minutes=3))
    fifth = T0 + timedelta(minutes=12)
    assert state.locked_until == fifth + timedelta(minutes=15)
    assert locked_until(state, fifth) == fifth + timedelta(minutes=15)
    assert locked_until(state, fifth + timedelta(minutes=14, seconds=59)) == state.locked_until


def test_the_lock_lifts_by_itself_when_its_time_has_passed():
    state = fail(5)
    assert locked_until(state, T0 + timedelta(minutes=15)) is None
    assert locked_until(state, T0 + timedelta(hours=3)) is None


def test_a_failure_after_the_lock_expired_starts_counting_afresh():
    state = fail(5)
    later = T0 + timedelta(minutes=16)
    state = after_failure(POLICY, state, later)
    assert (state.failures, state.window_started_at, state.locked_until) == (1, later, None)


def test_failures_spread_wider_than_the_window_never_lock():
    state = fail(4)
    later = T0 + timedelta(minutes=15, seconds=1)
    state = after_failure(POLICY, state, later)
    assert (state.failures, state.window_started_at, state.locked_until) == (1, later, None)
    state = fail(3, start=state, at=later + timedelta(minutes=1))
    assert (state.failures, state.locked_until) == (4, None)


def test_the_window_is_counted_from_its_first_failure_not_the_last():
    state = fail(4, every=timedelta(minutes=4))  # T0, +4, +8, +12
    state = after_failure(POLICY, state, T0 + timedelta(minutes=16))
    assert state.failures == 1


def test_a_small_policy_locks_at_its_own_limit():
    strict = LockoutPolicy(
        max_failures=1, window=timedelta(minutes=1), lock_for=timedelta(seconds=30)
    )
    state = after_failure(strict, None, T0)
    assert state.locked_until == T0 + timedelta(seconds=30)
