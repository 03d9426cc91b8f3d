"""A person's notification preferences: read with the defaults filled in, and saved whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicgrid_notifications.db.directory_repo import DirectoryRepository
from civicgrid_notifications.db.preferences_repo import PreferencesRepository
from civicgrid_notifications.domain.channels import (
    DEFAULT_CHANNELS,
    LOCALES,
    URGENT,
    Category,
    Channel,
)
from civicgrid_notifications.domain.preferences import Preferences
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import district_of, preferences_of
from civicgrid_notifications.usecases.inbox import owner_of
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class PreferencesChange:
    timezone: str | None
    locale: str | None
    quiet_start: time | None
    quiet_end: time | None
    channels: Mapping[str, Sequence[str]]
    digest_categories: Sequence[str]


async def mine(ctx: NotificationsContext, actor: Principal) -> Preferences:
    person = owner_of(actor)
    return await _effective(ctx, actor.tenant_uuid, person)


async def _effective(ctx: NotificationsContext, tenant_id: UUID, person: UUID) -> Preferences:
    async with ctx.uow(tenant_id=tenant_id) as uow:
        district = await district_of(ctx, DirectoryRepository(uow.session, tenant_id))
        stored = await PreferencesRepository(uow.session, tenant_id).of([person])
    return preferences_of(stored.get(person), district)


def _category(name: str, field: str) -> Category:
    try:
        return Category(name)
    except ValueError:
        raise InvalidInput(f"unknown category {name!r}", field=field) from None


def validate(change: PreferencesChange) -> dict[str, object]:
    """The stored form of a change, or InvalidInput naming the field at fault."""
    if change.timezone is not None:
        try:
            ZoneInfo(change.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("not a known time zone", field="timezone") from None
    if change.locale is not None and change.locale not in LOCALES:
        raise InvalidInput(f"one of {', '.join(LOCALES)}", field="locale")
    if (change.quiet_start is None) != (change.quiet_end is None):
        raise InvalidInput("quiet hours need both start and end", field="quiet_hours")
    channels: dict[str, list[str]] = {}
    for name, chosen in change.channels.items():
        category = _category(name, f"channels.{name}")
        picked: list[str] = []
        for c in chosen:
            try:
                picked.append(Channel(c).value)
            except ValueError:
                raise InvalidInput(f"unknown channel {c!r}", field=f"channels.{name}") from None
        missing = [c.value for c in DEFAULT_CHANNELS[category] if c.value not in picked]
        if category in URGENT and missing:
            raise InvalidInput(
                f"{name} messages are urgent: {', '.join(missing)} cannot be switched off",
                field=f"channels.{name}",
            )
        channels[category.value] = list(dict.fromkeys(picked))
    digest: list[str] = []
    for i, name in enumerate(change.digest_categories):
        category = _category(name, f"digest_categories.{i}")
        if category in URGENT:
            raise InvalidInput(
                f"{name} messages are urgent and never wait", field=f"digest_categories.{i}"
            )
        digest.append(category.value)
    return {
        "timezone": change.timezone,
        "locale": change.locale,
        # Quiet hours are wall-clock times in the person's zone, never offsets.
        "quiet_start": change.quiet_start.replace(tzinfo=None) if change.quiet_start else None,
        "quiet_end": change.quiet_end.replace(tzinfo=None) if change.quiet_end else None,
        "channels": channels,
        "digest_categories": sorted(set(digest)),
    }


async def save_mine(
    ctx: NotificationsContext, actor: Principal, change: PreferencesChange
) -> Preferences:
    person = owner_of(actor)
    values = validate(change)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        await PreferencesRepository(uow.session, actor.tenant_uuid).save(person, values)
        await uow.commit()
    return await _effective(ctx, actor.tenant_uuid, person)
