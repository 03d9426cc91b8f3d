"""Telling a database failure worth retrying from one that will fail the same way again."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# serialization_failure, deadlock_detected, lock_not_available, query_canceled (statement
# timeout), admin/crash shutdown and "cannot connect now" (a server restarting or failing over).
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03"})
# Whole classes: connection exceptions and insufficient resources.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53"})


def is_transient_db_error(exc: BaseException) -> bool:
    """True when running the same transaction again later may well succeed."""
    for link in _causes(exc):
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        if isinstance(link, PoolTimeoutError | ConnectionError | TimeoutError):
            return True
        sqlstate = getattr(link, "sqlstate", None)
        if isinstance(sqlstate, str) and (
            sqlstate in _TRANSIENT_SQLSTATES or sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES
        ):
            return True
    return False


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what SQLAlchemy wrapped (``orig``) and explicit causes (``from``).

    Implicit ``__context__`` is not followed: a handler that caught a deadlock and raised its own
    domain error meant the domain error.
    """
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        link = pending.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        for nested in (getattr(link, "orig", None), link.__cause__):
            if isinstance(nested, BaseException):
                pending.append(nested)
