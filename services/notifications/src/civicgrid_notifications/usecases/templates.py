"""A district's templates: staff read and preview them, tenant admins save and delete them, and
the message pipeline renders through `render_message`.

Each event type, channel and locale (zh-CN, en) has a built-in template; a district's own one,
once saved, replaces it for that district, and deleting it brings the built-in back. A template
is checked when saved (domain.templates.validate), so rendering one cannot fail for a missing
value when sending."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from civicgrid_notifications.db.templates_repo import StoredTemplate, TemplatesRepository
from civicgrid_notifications.domain.catalog import EVENTS
from civicgrid_notifications.domain.channels import LOCALES, Channel
from civicgrid_notifications.domain.default_templates import (
    TemplateSource,
    built_in,
    sample_values,
)
from civicgrid_notifications.domain.templates import (
    DEFAULT_ZONE,
    RENDER_ERRORS,
    CompiledTemplate,
    Rendered,
    TemplateKey,
    check_key,
    check_locale,
    compile_trusted,
    locale_fallbacks,
    render,
    spec_of,
    validate,
)
from civicgrid_notifications.usecases.context import (
    NotificationsContext,
    require_admin,
    require_staff,
)
from civicgrid_notifications.usecases.template_cache import (
    TEMPLATES,
    TemplateCache,
    built_in_template,
)
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)

_UPDATED_BY_LENGTH = 64


@dataclass(frozen=True, slots=True)
class TemplateView:
    event_type: str
    channel: Channel
    locale: str
    subject: str
    body: str
    built_in: bool  # True: the district saved none for this key
    version: int | None
    updated_by: str | None
    updated_at: datetime | None
    variables: tuple[str, ...]  # what the event type offers the template


@dataclass(frozen=True, slots=True)
class Preview:
    rendered: Rendered
    values: dict[str, str]  # the values it was rendered with


async def render_message(
    uow: UnitOfWork,
    tenant_id: UUID,
    event_type: str,
    channel: Channel,
    locale: str,
    variables: Mapping[str, str],
    *,
    timezone: str = DEFAULT_ZONE,
    cache: TemplateCache | None = None,
) -> Rendered:
    """The message for one recipient, in the caller's unit of work (bound to tenant_id).

    The template: the district's in the locale, else the built-in in the locale; for a locale
    without templates of its own (by language: "zh-TW" takes zh-CN), the district's or the
    built-in in English. Variables missing from `variables` render as ""; `timezone` is where
    `datetime` shows times. Costs no query while the district's list of saved templates is
    fresh in the cache (see usecases.template_cache). InvalidInput for an event type the
    catalog does not know."""
    spec_of(event_type)
    cache = cache or TEMPLATES
    repo = TemplatesRepository(uow.session, tenant_id)
    saved = await cache.saved_versions(repo)
    for locale_tried in locale_fallbacks(locale):
        key = TemplateKey(event_type, Channel(channel), locale_tried)
        version = saved.get((event_type, key.channel.value, locale_tried))
        own = await cache.district_template(repo, key, version) if version is not None else None
        fallback = built_in_template(event_type, key.channel, locale_tried)
        chosen = own or fallback
        if chosen is None:
            continue
        try:
            return render(chosen, variables, locale=locale_tried, timezone=timezone)
        except RENDER_ERRORS:  # a value no check foresaw
            if chosen is fallback or fallback is None:
                raise
            logger.warning(
                "district %s's template %s failed to render; sending the built-in",
                tenant_id,
                key,
                exc_info=True,
            )
            return render(fallback, variables, locale=locale_tried, timezone=timezone)
    raise InvalidInput(f"no template for {event_type} on {channel}", field="event_type")


async def list_templates(
    ctx: NotificationsContext,
    actor: Principal,
    *,
    event_type: str | None = None,
    channel: Channel | None = None,
    locale: str | None = None,
) -> list[TemplateView]:
    """Every key matching the filters, the district's template where it saved one and the
    built-in otherwise; by event type, channel and locale."""
    require_staff(actor, "read the district's templates")
    if event_type is not None:
        spec_of(event_type)
    if locale is not None:
        locale = check_locale(locale)
    event_types = [event_type] if event_type is not None else sorted(EVENTS)
    channels = [channel] if channel is not None else list(Channel)
    locales = [locale] if locale is not None else list(LOCALES)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = TemplatesRepository(uow.session, tenant_id)
        saved = await repo.listed(event_type, channel.value if channel else None, locale)
    own = {(t.event_type, t.channel, t.locale): t for t in saved}
    return [
        _view(TemplateKey(e, c, loc), own.get((e, c.value, loc)))
        for e in event_types
        for c in channels
        for loc in locales
    ]


async def get_template(
    ctx: NotificationsContext, actor: Principal, event_type: str, channel: str, locale: str
) -> TemplateView:
    require_staff(actor, "read the district's templates")
    key = check_key(event_type, channel, locale)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        stored = await TemplatesRepository(uow.session, tenant_id).get(key)
    return _view(key, stored)


async def save_template(
    ctx: NotificationsContext,
    actor: Principal,
    event_type: str,
    channel: str,
    locale: str,
    subject: str,
    body: str,
) -> TemplateView:
    """Saves the district's template for the key (a new version when it had one); refused with
    InvalidInput naming `subject` or `body` when it could fail to render."""
    require_admin(actor, "changes the district's templates")
    key = check_key(event_type, channel, locale)
    validate(key.event_type, key.channel, subject, body)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = TemplatesRepository(uow.session, tenant_id)
        by = actor.subject[:_UPDATED_BY_LENGTH]
        stored = await repo.save(key, subject, body, by, ctx.clock())
        await uow.commit()
    TEMPLATES.forget(tenant_id)
    return _view(key, stored)


async def delete_template(
    ctx: NotificationsContext, actor: Principal, event_type: str, channel: str, locale: str
) -> TemplateView:
    """Deletes the district's template for the key; the built-in (returned) speaks again.
    NotFound when the district had none."""
    require_admin(actor, "changes the district's templates")
    key = check_key(event_type, channel, locale)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        if not await TemplatesRepository(uow.session, tenant_id).delete(key):
            raise NotFound("the district has no template of its own for this", field="locale")
        await uow.commit()
    TEMPLATES.forget(tenant_id)
    return _view(key, None)


async def preview_template(
    ctx: NotificationsContext,
    actor: Principal,
    event_type: str,
    channel: str,
    locale: str,
    *,
    subject: str | None = None,
    body: str | None = None,
    values: Mapping[str, str] | None = None,
) -> Preview:
    """Renders `body` (and `subject`) as given, or the template in force for the key when no
    body is given, with sample values overridden by `values`. Nothing is saved."""
    require_staff(actor, "preview templates")
    key = check_key(event_type, channel, locale)
    spec = spec_of(key.event_type)
    unknown = sorted(set(values or {}) - spec.all_variables)
    if unknown:
        raise InvalidInput(f"{key.event_type} has no variable {unknown[0]!r}", field="variables")
    if body is not None:
        compiled = validate(key.event_type, key.channel, subject or "", body)
    else:
        compiled = await _in_force(ctx, actor.tenant_uuid, key)
    shown = {**sample_values(key.event_type, key.locale), **(values or {})}
    timezone = ctx.default_timezone
    return Preview(render(compiled, shown, locale=key.locale, timezone=timezone), shown)


async def _in_force(
    ctx: NotificationsContext, tenant_id: UUID, key: TemplateKey
) -> CompiledTemplate:
    async with ctx.uow(tenant_id=tenant_id) as uow:
        stored = await TemplatesRepository(uow.session, tenant_id).get(key)
    if stored is not None:
        return compile_trusted(key.event_type, key.channel, stored.subject, stored.body)
    compiled = built_in_template(key.event_type, key.channel, key.locale)
    if compiled is None:  # every key check_key accepts has a built-in
        raise NotFound("no template for this", field="event_type")
    return compiled


def _view(key: TemplateKey, stored: StoredTemplate | None) -> TemplateView:
    variables = tuple(sorted(EVENTS[key.event_type].all_variables))
    if stored is not None:
        return TemplateView(
            key.event_type,
            key.channel,
            key.locale,
            stored.subject,
            stored.body,
            built_in=False,
            version=stored.version,
            updated_by=stored.updated_by,
            updated_at=stored.updated_at,
            variables=variables,
        )
    # Every key check_key accepts has a built-in.
    source = built_in(key.event_type, key.channel, key.locale) or TemplateSource("", "")
    return TemplateView(
        key.event_type,
        key.channel,
        key.locale,
        source.subject,
        source.body,
        built_in=True,
        version=None,
        updated_by=None,
        updated_at=None,
        variables=variables,
    )
