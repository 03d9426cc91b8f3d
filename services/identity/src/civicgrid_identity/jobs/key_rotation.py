"""Rotates the signing key on schedule; every replica runs it, the database lets one act."""

from __future__ import annotations

import asyncio
import logging

from civicgrid_identity.usecases.keyring import KeyRing

logger = logging.getLogger(__name__)


async def rotate_keys_periodically(
    keyring: KeyRing,
    stop: asyncio.Event,
    *,
    rotate_after_seconds: float,
    check_every_seconds: float = 300,
) -> None:
    while not stop.is_set():
        rotated = await keyring.rotate(only_if_older_than=rotate_after_seconds)
        if rotated is not None:
            logger.info(
                "next signing key published",
                extra={"kid": rotated.kid, "activates_at": rotated.activates_at.isoformat()},
            )
        try:
            await asyncio.wait_for(stop.wait(), timeout=check_every_seconds)
        except TimeoutError:
            continue
