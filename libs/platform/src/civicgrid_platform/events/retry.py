"""Which failures a consumer retries, and how long it waits between attempts."""

from __future__ import annotations

import random
from collections.abc import Callable

from aiokafka.errors import KafkaError, KafkaTimeoutError

from civicgrid_platform.db.errors import is_transient_db_error


class RetryableError(Exception):
    """Raised by a handler to say "not now": e.g. a service it needs is briefly unavailable."""


def is_transient(exc: BaseException) -> bool:
    """True for failures that may pass on their own: retry them, then dead-letter."""
    if isinstance(exc, RetryableError | KafkaTimeoutError):
        return True
    if isinstance(exc, KafkaError) and exc.retriable:
        return True
    return is_transient_db_error(exc)


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first retry).

    Exponential (base, 2*base, 4*base, ... capped at ``cap``) with "equal jitter": the wait is
    between half and all of that step, so many consumers that failed together do not retry in
    lockstep, yet each still backs off.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    step = min(cap, base * 2 ** (attempt - 1))
    return step / 2 + step / 2 * jitter()
