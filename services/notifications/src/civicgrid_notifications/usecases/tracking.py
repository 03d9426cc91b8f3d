"""Read models fed by other services' events: districts, people's names, tickets' reporters and
owners, departments' contacts. They run in the consumer's transaction (the inbox row's)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from civicgrid_notifications.db.directory_repo import DirectoryRepository, TrackedTicket
from civicgrid_notifications.usecases.retention import keep_district_tidy
from civicgrid_platform.db.uow import UnitOfWork


def _directory(uow: UnitOfWork, tenant_id: UUID) -> DirectoryRepository:
    return DirectoryRepository(uow.session, tenant_id)


async def remember_district(
    uow: UnitOfWork, tenant_id: UUID, name: str, timezone: str, locale: str
) -> None:
    await _directory(uow, tenant_id).remember_district(name, timezone, locale)
    await keep_district_tidy(uow.session, tenant_id, datetime.now(UTC))


async def remember_person(uow: UnitOfWork, tenant_id: UUID, person_id: UUID, name: str) -> None:
    await _directory(uow, tenant_id).remember_person(person_id, name)


async def remember_department(
    uow: UnitOfWork, tenant_id: UUID, department_id: UUID, name: str, contact: str
) -> None:
    await _directory(uow, tenant_id).remember_department(department_id, name, contact)


async def track_ticket(uow: UnitOfWork, tenant_id: UUID, ticket_id: UUID, **values: object) -> None:
    await _directory(uow, tenant_id).track_ticket(ticket_id, **values)


async def tracked_ticket(uow: UnitOfWork, tenant_id: UUID, ticket_id: UUID) -> TrackedTicket | None:
    return await _directory(uow, tenant_id).ticket(ticket_id)
