"""A press resolved with the family: one transaction, bound to the device's tenant inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_identity.usecases.care import device_signature, resolve_device
from services.identity.tests.identity_support import (
    IdentityApi,
    elder_with_device,
    family,
    principal_of,
)

pytestmark = pytest.mark.integration


@contextmanager
def transactions_begun(engine: AsyncEngine) -> Iterator[list[Any]]:
    """One entry per transaction the engine begins inside the block."""
    begun: list[Any] = []

    def on_begin(connection: Any) -> None:
        begun.append(connection)

    event.listen(engine.sync_engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(engine.sync_engine, "begin", on_begin)


async def test_identity_a_press_is_resolved_with_its_family_in_one_transaction(
    api: IdentityApi, ctx, app, identity
):
    # The device directory is read with no tenant bound; the device and the family only after
    # binding its tenant. Both districts' rows exist: row-level security must admit exactly the
    # device's district, within the one transaction.
    first, second = await api.district(), await api.district()
    elder_a, device_a, secret_a = await elder_with_device(api, first, family("Ana", "Ben"))
    elder_b, device_b, secret_b = await elder_with_device(api, second, family("Cai"))
    platform = await principal_of(app, await api.platform_admin())
    payload = b"press"

    for device_id, secret, elder, district, names in (
        (device_a, secret_a, elder_a, first, ["Ana", "Ben"]),
        (device_b, secret_b, elder_b, second, ["Cai"]),
    ):
        with transactions_begun(identity.engine) as begun:
            resolved = await resolve_device(
                ctx,
                platform,
                device_id,
                device_signature(secret, payload),
                payload,
                include_contacts=True,
            )
        assert len(begun) == 1
        assert (str(resolved.tenant_id), str(resolved.person_id)) == (district.id, elder.id)
        assert [c.name for c in resolved.contacts] == names
