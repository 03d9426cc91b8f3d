"""A press resolved with the family: one transaction, bound to the device's tenant inside it."""

from __future__ import annotations

import pytest

from civicgrid_identity.usecases.care import device_signature, resolve_device
from civicgrid_testkit.engine_events import engine_events
from services.identity.tests.identity_support import (
    IdentityApi,
    elder_with_device,
    family,
    principal_of,
)

pytestmark = pytest.mark.integration


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
        with engine_events(identity.engine, "begin") as begun:
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
