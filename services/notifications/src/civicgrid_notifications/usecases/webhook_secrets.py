"""Webhook secrets at rest: sealed under the service key, opened only to sign.

The platform's Sealer (AES-256-GCM under a key derived from CIVICGRID_SECRET_KEY for this one
purpose, as identity seals its signing keys and device secrets) seals each secret together with
its subscription's id, so a sealed secret copied onto another subscription (another district's)
does not open there. A secret that does not open (another CIVICGRID_SECRET_KEY sealed it, or
the row was altered) raises SecretUnreadable: nothing is ever signed with what came out.

Releases before sealing stored secrets in plaintext. Migration 0005 cannot seal them: Alembic is
given the owner DSN and nothing else (civicgrid_platform.migrate), and a key guessed inside a
migration that differed from the service's would lose every secret for good. So the migration
only makes room and puts every district's upkeep timer due at once; the service, holding the
very key it opens secrets with, seals them on that first pass (seal_plaintext), and on each daily
pass after it whatever a previous release still running during the rolling update wrote. Until
then a plaintext secret is read as it is, so no message waits for the sealing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag

from civicgrid_notifications.db.webhooks_repo import StoredSecrets, WebhooksRepository
from civicgrid_notifications.domain.webhooks import SigningSecrets
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform.sealing import Sealer

WEBHOOK_SECRET_PURPOSE = "notifications:webhook-secret"
# Subscriptions sealed per statement by the upkeep pass (a district has at most 100).
_SEAL_BATCH = 100


class SecretUnreadable(RuntimeError):
    """A stored webhook secret this process cannot open."""


def webhook_sealer(ctx: NotificationsContext) -> Sealer:
    """The context's sealer; a process built without one refuses to touch secrets."""
    if ctx.webhook_sealer is None:
        raise RuntimeError(
            "no sealer for webhook secrets: build the context with "
            f"Sealer(CIVICGRID_SECRET_KEY, {WEBHOOK_SECRET_PURPOSE!r}) (bootstrap does)"
        )
    return ctx.webhook_sealer


def seal(sealer: Sealer, subscription_id: UUID, secret: str) -> bytes:
    return sealer.seal(f"{subscription_id}:{secret}".encode())


def unseal(sealer: Sealer, subscription_id: UUID, sealed: bytes) -> str:
    try:
        opened = sealer.unseal(sealed).decode()
    except (InvalidTag, UnicodeDecodeError, ValueError):
        opened = ""
    owner, _, secret = opened.partition(":")
    if owner != str(subscription_id) or not secret:
        raise SecretUnreadable(
            f"the secret of webhook subscription {subscription_id} does not open with this "
            "service's key: CIVICGRID_SECRET_KEY differs from the one that sealed it, or the "
            "row was altered"
        )
    return secret


def sealed_columns(sealer: Sealer, subscription_id: UUID, keys: SigningSecrets) -> dict[str, Any]:
    """The columns that store `keys`, sealed; any plaintext is cleared."""
    previous = keys.previous
    return {
        "secret_sealed": seal(sealer, subscription_id, keys.current),
        "previous_secret_sealed": seal(sealer, subscription_id, previous) if previous else None,
        "previous_secret_expires_at": keys.previous_expires_at if previous else None,
        "secret": None,
        "previous_secret": None,
    }


def opened(sealer: Sealer, stored: StoredSecrets) -> SigningSecrets:
    """The secrets that sign. Plaintext, where a row holds it, was written by a release before
    sealing, the latest write of the row: it is read as it is (and sealed by the upkeep)."""
    if stored.plaintext is not None:
        return SigningSecrets(
            stored.plaintext, stored.previous_plaintext, stored.previous_expires_at
        )
    if stored.sealed is None:  # the table's check constraint forbids it
        raise SecretUnreadable(f"webhook subscription {stored.subscription_id} has no secret")
    sid = stored.subscription_id
    previous = unseal(sealer, sid, stored.previous_sealed) if stored.previous_sealed else None
    return SigningSecrets(unseal(sealer, sid, stored.sealed), previous, stored.previous_expires_at)


async def seal_plaintext(ctx: NotificationsContext, tenant_id: UUID) -> int:
    """Seals the district's secrets still stored in plaintext; how many subscriptions."""
    sealer = webhook_sealer(ctx)
    sealed = 0
    while True:
        async with ctx.uow(tenant_id=tenant_id) as uow:
            repo = WebhooksRepository(uow.session, tenant_id)
            found = await repo.plaintext_secrets(_SEAL_BATCH)
            for stored in found:
                columns = sealed_columns(sealer, stored.subscription_id, opened(sealer, stored))
                await repo.seal_plaintext(stored.subscription_id, columns)
            await uow.commit()
        sealed += len(found)
        if len(found) < _SEAL_BATCH:
            return sealed
