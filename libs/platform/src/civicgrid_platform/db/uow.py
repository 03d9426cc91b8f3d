"""The unit of work: one transaction, bound to one tenant, that commits its outbox rows with it.

A use case opens one, changes state through repositories (which never commit), adds the events
that announce the change, and commits once. The events are written to the outbox inside the same
transaction, so the state change and its announcement are durable together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from civicgrid_platform.db import driver
from civicgrid_platform.db.bulk import copy_rows
from civicgrid_platform.db.outbox_table import OUTBOX, OUTBOX_CHANNEL
from civicgrid_platform.db.tenancy import bind_tenant, rebind_tenant
from civicgrid_platform.events.cloudevents import OutgoingEvent

# Every notification the transaction rings, in one statement just before the commit.
# PostgreSQL delivers them only when (and if) the transaction commits.
_RING = "SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS t(c, p)"

# From this many events on (a district import), the outbox is filled by COPY, not executemany.
BULK_EVENTS = 500
_OUTBOX_COLUMNS = ("event_id", "topic", "key", "headers", "payload", "tenant_id")
_INSERT_EVENT = (
    f"INSERT INTO {OUTBOX.name} ({', '.join(_OUTBOX_COLUMNS)})"  # noqa: S608 - our own names
    " VALUES ($1, $2, $3, $4, $5, $6)"
)


class UnitOfWorkError(RuntimeError):
    """The unit of work was used out of order (e.g. committed twice, used after commit)."""


class Deferred(Protocol):
    """A collector of writes for UnitOfWork.deferred."""

    async def flush(self, uow: UnitOfWork) -> None:
        """Write what was gathered (in uow's transaction, bound to the current tenant)."""
        ...

    def discard(self) -> None:
        """Forget what was gathered (its savepoint rolled back)."""
        ...


D = TypeVar("D", bound=Deferred)


class UnitOfWork:
    """``async with factory(tenant_id=...) as uow: ...; await uow.commit()``.

    Leaving the block without committing rolls everything back, outbox rows included.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tenant_id: UUID | None) -> None:
        self._sessions = sessions
        self._tenant_id = tenant_id
        self._session: AsyncSession | None = None
        # Outbox rows in _OUTBOX_COLUMNS order, as they will be written.
        self._pending_events: list[tuple[Any, ...]] = []
        self._committed = False
        # The propagated trace headers and the OpenTelemetry context they were taken from:
        # injecting once per context instead of once per event (an import adds 10^5 events).
        self._trace_from: object = None
        self._trace_headers: dict[str, str] = {}
        # Work gathered across many calls and written together (see `deferred`).
        self._deferred: dict[str, Deferred] = {}
        # (channel, payload) to notify at commit, each once, in the order first rung.
        self._rings: dict[tuple[str, str], None] = {}

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise UnitOfWorkError("a unit of work is entered once; ask the factory for another")
        session = self._sessions()
        session.info[driver.PINNED] = True
        try:
            await bind_tenant(session, self._tenant_id)
        except BaseException:
            await session.close()
            raise
        self._session = session
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._session
        if session is None:
            return
        try:
            if not self._committed:
                await session.rollback()
        finally:
            driver.unpin(session)
            await session.close()

    @property
    def session(self) -> AsyncSession:
        """The transaction's session, for repositories. Repositories never commit."""
        if self._session is None:
            raise UnitOfWorkError("enter the unit of work (async with) before using it")
        if self._committed:
            raise UnitOfWorkError("this unit of work has committed; open a new one")
        return self._session

    @property
    def tenant_id(self) -> UUID | None:
        return self._tenant_id

    async def bind_tenant(self, tenant_id: UUID | None) -> None:
        """Act for another tenant from here on (a consumer's batch spans tenants). Deferred
        work of the tenant so far is written first, while row-level security still admits it."""
        await self.flush_deferred()
        await rebind_tenant(self.session, tenant_id)
        self._tenant_id = tenant_id

    def notify(self, channel: str, payload: str = "") -> None:
        """Ring `channel` (PostgreSQL NOTIFY) when, and only if, the transaction commits; the
        same ring twice is sent once. All of a transaction's rings go in one statement. A ring
        carries no data, so one from a savepoint rolled back stays: it costs a listener a look."""
        self._rings.setdefault((channel, payload), None)

    def deferred(self, key: str, make: Callable[[], D]) -> D:
        """The transaction's collector under `key` (made on first use): writes many calls
        gather and that go to the database together — when the tenant changes, when a
        savepoint ends, and before the commit. One statement for a batch of rows instead of
        one per call is what lets a consumer store thousands of messages a second."""
        found = self._deferred.get(key)
        if found is None:
            found = self._deferred[key] = make()
        return found  # type: ignore[return-value]

    async def flush_deferred(self) -> None:
        for collector in list(self._deferred.values()):
            await collector.flush(self)

    def add_event(self, event: OutgoingEvent) -> None:
        """Queue ``event`` for the outbox; it is written by ``commit`` in this transaction.

        Headers (and so the trace context) and payload are captured now, in the caller's span.
        """
        if self._committed:
            raise UnitOfWorkError("this unit of work has committed; open a new one")
        current = otel_context.get_current()
        if current is not self._trace_from:
            self._trace_from, self._trace_headers = current, {}
            propagate.inject(self._trace_headers, context=current)
        self._pending_events.append(
            (
                event.id,
                event.topic,
                event.key,
                json.dumps(event.headers(self._trace_headers)),
                event.message.SerializeToString(),
                event.tenant_id,
            )
        )

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: on error, its changes and the events it added are undone."""
        mark = len(self._pending_events)
        try:
            async with self.session.begin_nested():
                yield
                # Inside the savepoint: what the block deferred fails (and is undone) with it.
                await self.flush_deferred()
        except BaseException:
            del self._pending_events[mark:]
            for collector in self._deferred.values():
                collector.discard()
            raise

    async def commit(self) -> None:
        """Write the deferred work and the queued events to the outbox and commit, once."""
        await self.flush_deferred()
        session = self.session
        rows = self._pending_events
        if len(rows) >= BULK_EVENTS:
            await copy_rows(session, OUTBOX, _OUTBOX_COLUMNS, rows)
        elif rows:
            # Straight through the driver, one pipelined statement: a busy write path adds tens
            # of events per transaction, and building SQLAlchemy's insert costs more than that.
            await driver.executemany(session, _INSERT_EVENT, rows)
        if rows:
            self.notify(OUTBOX_CHANNEL)  # the relay listens
        if self._rings:
            channels, payloads = zip(*self._rings, strict=True)
            await driver.execute(session, _RING, list(channels), list(payloads))
        await session.commit()
        driver.unpin(session)
        self._committed = True
        self._pending_events.clear()
        self._rings.clear()


class UnitOfWorkFactory:
    """Built once per process (composition root) from the service's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        # expire_on_commit=False: objects a use case returns stay readable after the commit.
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    def __call__(self, *, tenant_id: UUID | None) -> UnitOfWork:
        """A unit of work acting for ``tenant_id``; None acts for no tenant (RLS hides all)."""
        return UnitOfWork(self._sessions, tenant_id)
