"""HTTP routes: a district's message templates per event type, channel and locale. Staff read
and preview them; tenant admins save and delete them (a deleted one gives way to the
built-in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from civicgrid_notifications.api import schemas_templates as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases import templates
from civicgrid_notifications.usecases.templates import TemplateView
from civicgrid_platform.http import CurrentPrincipal

router = APIRouter(tags=["templates"])
TEMPLATE = "/v1/templates/{event_type}/{channel}/{locale}"
EventTypePath = Annotated[
    str, Path(max_length=64, pattern=schemas.EVENT_TYPE, description="e.g. ticket.created")
]
LocalePath = Annotated[str, Path(max_length=16, pattern=schemas.LOCALE, description="zh-CN, en")]


@router.get("/v1/templates")
async def list_templates(
    ctx: Ctx,
    actor: CurrentPrincipal,
    event_type: Annotated[str | None, Query(max_length=64, pattern=schemas.EVENT_TYPE)] = None,
    channel: Channel | None = None,
    locale: Annotated[str | None, Query(max_length=16, pattern=schemas.LOCALE)] = None,
) -> list[schemas.TemplateRead]:
    """Every event type, channel and locale matching the filters: the district's template where
    it saved one, the built-in otherwise (`built_in`)."""
    found = await templates.list_templates(
        ctx, actor, event_type=event_type, channel=channel, locale=locale
    )
    return [_read(view) for view in found]


@router.post("/v1/templates/preview")
async def preview_template(
    body: schemas.PreviewWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.PreviewRead:
    """Renders a draft (or the template in force) with sample values; saves nothing."""
    shown = await templates.preview_template(
        ctx,
        actor,
        body.event_type,
        body.channel,
        body.locale,
        subject=body.subject,
        body=body.body,
        values=body.variables,
    )
    return schemas.PreviewRead(
        subject=shown.rendered.subject, body=shown.rendered.body, variables=shown.values
    )


@router.get(TEMPLATE)
async def get_template(
    event_type: EventTypePath,
    channel: Channel,
    locale: LocalePath,
    ctx: Ctx,
    actor: CurrentPrincipal,
) -> schemas.TemplateRead:
    return _read(await templates.get_template(ctx, actor, event_type, channel, locale))


@router.put(TEMPLATE)
async def save_template(
    event_type: EventTypePath,
    channel: Channel,
    locale: LocalePath,
    body: schemas.TemplateWrite,
    ctx: Ctx,
    actor: CurrentPrincipal,
) -> schemas.TemplateRead:
    """Tenant admins: the district's own template for the key, a new version each time. 422
    naming `subject` or `body` when it could fail to render (an unknown variable, a syntax
    error, something the sandbox does not allow)."""
    saved = await templates.save_template(
        ctx, actor, event_type, channel, locale, body.subject, body.body
    )
    return _read(saved)


@router.delete(TEMPLATE)
async def delete_template(
    event_type: EventTypePath,
    channel: Channel,
    locale: LocalePath,
    ctx: Ctx,
    actor: CurrentPrincipal,
) -> schemas.TemplateRead:
    """Tenant admins: back to the built-in, which is returned; 404 when the district had none."""
    return _read(await templates.delete_template(ctx, actor, event_type, channel, locale))


def _read(view: TemplateView) -> schemas.TemplateRead:
    return schemas.TemplateRead(
        event_type=view.event_type,
        channel=view.channel,
        locale=view.locale,
        subject=view.subject,
        body=view.body,
        built_in=view.built_in,
        version=view.version,
        updated_by=view.updated_by,
        updated_at=view.updated_at,
        variables=list(view.variables),
    )
