"""Upgrading a database whose webhook secrets were stored in plaintext (migration 0005): the
migration keeps them and sets each district's upkeep due at once; the service's first pass seals
them under its key; messages sign with the same secrets before and after."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from civicgrid_notifications.__main__ import MIGRATIONS
from civicgrid_notifications.db.metadata import timers
from civicgrid_notifications.db.tables_webhooks import webhook_subscriptions
from civicgrid_notifications.db.webhooks_repo import WebhooksRepository
from civicgrid_notifications.domain.retention import RETENTION_TIMER
from civicgrid_notifications.domain.webhooks import new_secret
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.retention import purge_due
from civicgrid_notifications.usecases.webhook_secrets import WEBHOOK_SECRET_PURPOSE, opened
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_platform.sealing import Sealer
from civicgrid_testkit import unique_name
from services.notifications.tests.notifications_support import SERVICE_KEY

pytestmark = pytest.mark.integration

_S = webhook_subscriptions.c


async def test_notifications_migration_0005_leaves_plaintext_secrets_to_the_service_to_seal(
    postgres: Any,
) -> None:
    db = await postgres.aprovision(unique_name("notifications_0005"))
    upgrade(MIGRATIONS, db.owner_dsn, "0004")
    engine = create_engine(db.runtime_dsn, pool_size=2)
    now = datetime.now(UTC)
    ctx = NotificationsContext(
        uow=UnitOfWorkFactory(engine),
        webhook_sealer=Sealer(SERVICE_KEY, WEBHOOK_SECRET_PURPOSE),
        clock=lambda: now + timedelta(seconds=1),
    )
    tenants = [uuid.uuid4(), uuid.uuid4()]
    secrets = {t: (uuid.uuid4(), new_secret(), new_secret()) for t in tenants}
    try:
        for tenant, (sub, secret, previous) in secrets.items():
            async with ctx.uow(tenant_id=tenant) as uow:
                await uow.session.execute(
                    webhook_subscriptions.insert().values(
                        id=sub,
                        tenant_id=tenant,
                        url="http://127.0.0.1:9/hook",
                        secret=secret,
                        previous_secret=previous,
                        previous_secret_expires_at=now + timedelta(hours=1),
                    )
                )
                await uow.commit()

        upgrade(MIGRATIONS, db.owner_dsn)

        async with ctx.uow(tenant_id=None) as uow:
            due = dict(
                (
                    await uow.session.execute(
                        select(timers.c.subject_id, timers.c.due_at).where(
                            timers.c.kind == RETENTION_TIMER
                        )
                    )
                ).all()
            )
        assert set(due) == set(tenants) and all(at <= ctx.clock() for at in due.values())

        while await purge_due(ctx, limit=10):
            pass

        for tenant, (sub, secret, previous) in secrets.items():
            async with ctx.uow(tenant_id=tenant) as uow:
                row = (
                    await uow.session.execute(
                        select(_S.secret, _S.previous_secret, _S.secret_sealed).where(_S.id == sub)
                    )
                ).one()
                stored = await WebhooksRepository(uow.session, tenant).secrets(sub)
            assert row.secret is None and row.previous_secret is None
            assert secret.encode() not in row.secret_sealed
            assert stored is not None and ctx.webhook_sealer is not None
            keys = opened(ctx.webhook_sealer, stored)
            assert (keys.current, keys.previous) == (secret, previous)
    finally:
        await engine.dispose()
