"""How long a consumer waits between attempts, and which failures it retries at all."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError
from sqlalchemy.exc import IntegrityError, OperationalError

from civicgrid_platform.events.cloudevents import InvalidEvent
from civicgrid_platform.events.retry import RetryableError, backoff_delay, is_transient


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    full = [backoff_delay(n, base=0.2, cap=3.0, jitter=lambda: 1.0) for n in range(1, 7)]

    assert full == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.0, 3.0])


def test_jitter_keeps_each_wait_between_half_and_all_of_its_step() -> None:
    least = [backoff_delay(n, base=0.2, cap=3.0, jitter=lambda: 0.0) for n in range(1, 6)]

    assert least == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.5])
    for attempt in range(1, 10):
        step = min(3.0, 0.2 * 2 ** (attempt - 1))
        assert step / 2 <= backoff_delay(attempt, base=0.2, cap=3.0) <= step


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="attempt counts from 1"):
        backoff_delay(0, base=0.2, cap=3.0)


def _wrapped(orig: BaseException) -> OperationalError:
    """What SQLAlchemy raises around a driver error."""
    return OperationalError("UPDATE things SET ...", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        RetryableError("directory service unavailable"),
        KafkaTimeoutError(),
        KafkaConnectionError("broker gone"),
        ConnectionRefusedError("connect"),
        _wrapped(asyncpg.exceptions.DeadlockDetectedError("deadlock detected")),
        _wrapped(asyncpg.exceptions.SerializationError("could not serialize access")),
        _wrapped(asyncpg.exceptions.LockNotAvailableError("lock timeout")),
        _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        _wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection lost")),
        _wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
    ],
    ids=lambda error: type(getattr(error, "orig", error)).__name__,
)
def test_passing_troubles_are_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        InvalidEvent("missing required header ce_type", header="ce_type"),
        ValueError("handler bug"),
        MessageSizeTooLargeError(),
        IntegrityError("INSERT ...", {}, asyncpg.exceptions.UniqueViolationError("duplicate key")),
        _wrapped(asyncpg.exceptions.UndefinedTableError("relation does not exist")),
    ],
    ids=lambda error: type(getattr(error, "orig", error)).__name__,
)
def test_errors_that_would_fail_again_are_not_transient(error: BaseException) -> None:
    assert not is_transient(error)


def test_an_explicit_cause_counts_but_an_unrelated_earlier_error_does_not() -> None:
    deadlock = _wrapped(asyncpg.exceptions.DeadlockDetectedError("deadlock detected"))
    try:
        raise ValueError("handler gave up") from deadlock
    except ValueError as caused:
        assert is_transient(caused)
    try:
        try:
            raise deadlock
        except OperationalError:
            raise ValueError("domain rule broken") from None
    except ValueError as unrelated:
        assert not is_transient(unrelated)
