"""A person's own notification preferences."""

from __future__ import annotations

from fastapi import APIRouter

from civicgrid_notifications.api import schemas_preferences as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.domain.channels import URGENT, Category
from civicgrid_notifications.domain.preferences import Preferences
from civicgrid_notifications.usecases import preferences
from civicgrid_platform.http import CurrentPrincipal

router = APIRouter(tags=["preferences"])


def _read(prefs: Preferences) -> schemas.PreferencesRead:
    quiet = prefs.quiet
    return schemas.PreferencesRead(
        timezone=prefs.timezone,
        locale=prefs.locale,
        quiet_hours=schemas.QuietHoursBody(start=quiet.start, end=quiet.end) if quiet else None,
        channels={c.value: [ch.value for ch in prefs.channels_for(c)] for c in Category},
        digest_categories=sorted(c.value for c in prefs.digest),
        urgent_categories=sorted(c.value for c in URGENT),
    )


@router.get("/v1/me/preferences")
async def my_preferences(ctx: Ctx, actor: CurrentPrincipal) -> schemas.PreferencesRead:
    """The caller's preferences with every default filled in."""
    return _read(await preferences.mine(ctx, actor))


@router.put("/v1/me/preferences")
async def save_my_preferences(
    body: schemas.PreferencesWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.PreferencesRead:
    """Replaces the caller's preferences. Urgent categories (alerts, SLA breaches) keep their
    channels and ignore quiet hours whatever is chosen."""
    change = preferences.PreferencesChange(
        timezone=body.timezone,
        locale=body.locale,
        quiet_start=body.quiet_hours.start if body.quiet_hours else None,
        quiet_end=body.quiet_hours.end if body.quiet_hours else None,
        channels=body.channels,
        digest_categories=body.digest_categories,
    )
    return _read(await preferences.save_mine(ctx, actor, change))
