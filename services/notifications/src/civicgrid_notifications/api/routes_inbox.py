"""The in-app inbox: pages, marking read, and a live stream (server-sent events) for the console."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse

from civicgrid_notifications.api import schemas_inbox as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.db.inbox_repo import InboxMessage
from civicgrid_notifications.usecases import inbox
from civicgrid_platform.http import CurrentPrincipal, PageParams

router = APIRouter(tags=["inbox"])
# How often an idle stream says it is alive (proxies close silent connections).
PING_SECONDS = 15


def _position(message: InboxMessage) -> dict[str, str]:
    return {"created_at": message.created_at.isoformat(), "id": str(message.id)}


@router.get("/v1/me/inbox")
async def my_inbox(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    unread: Annotated[bool, Query(description="Only messages not read yet.")] = False,
) -> schemas.InboxPage:
    """The caller's messages, newest first, and how many are unread."""
    after = None
    if page.after is not None:
        after = (datetime.fromisoformat(page.after["created_at"]), UUID(page.after["id"]))
    messages, unread_count = await inbox.page(
        ctx, actor, unread_only=unread, after=after, limit=page.fetch_limit
    )
    shaped = page.page(messages, _position)
    return schemas.InboxPage(
        items=[schemas.InboxMessageRead(**asdict(m)) for m in shaped.items],
        next_cursor=shaped.next_cursor,
        unread=unread_count,
    )


@router.post("/v1/me/inbox/read")
async def mark_read(body: schemas.MarkRead, ctx: Ctx, actor: CurrentPrincipal) -> schemas.Marked:
    """Marks the given messages read (all unread ones when ids is omitted)."""
    return schemas.Marked(marked=await inbox.mark_read(ctx, actor, body.ids))


@router.get("/v1/me/inbox/stream", response_class=EventSourceResponse)
async def stream(request: Request, ctx: Ctx, actor: CurrentPrincipal) -> EventSourceResponse:
    """Server-sent events: each new message as it is stored (event "message", id = message id).
    A reconnecting client sends Last-Event-ID and first gets what it missed."""
    person = inbox.owner_of(actor)
    tenant = actor.tenant_uuid
    last_event_id = request.headers.get("last-event-id")
    try:
        last = UUID(last_event_id) if last_event_id else None
    except ValueError:
        last = None
    doorbells = request.app.state.inbox_doorbells

    async def events() -> AsyncIterator[dict[str, Any]]:
        async with doorbells.subscribe(f"{tenant}:{person}") as bell:
            start = await inbox.created_at(ctx, tenant, person, last) if last else None
            seen = _Seen(start or ctx.clock(), skip=last)
            had = (start, last) if start is not None and last is not None else None
            for message in await inbox.since(ctx, tenant, person, seen.read_from):
                # A fresh stream starts from now: what is already stored, the page shows.
                # A resumed one skips what sorts up to the last event the client had (the
                # stream sends oldest first), so only what it missed follows.
                if had is None or (message.created_at, message.id) <= had:
                    seen.first_time(message)
            while True:
                bell.clear()
                for message in await inbox.since(ctx, tenant, person, seen.read_from):
                    if seen.first_time(message):
                        yield {"event": "message", "id": str(message.id), "data": _json(message)}
                if await request.is_disconnected():
                    return
                # Woken by the doorbell, or on a slow beat in case a ring was missed.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(bell.wait(), timeout=PING_SECONDS)

    return EventSourceResponse(events(), ping=PING_SECONDS)


def _json(message: InboxMessage) -> str:
    read = schemas.InboxMessageRead(**asdict(message))
    return json.dumps(read.model_dump(mode="json"), ensure_ascii=False)


class _Seen:
    """What a stream has sent. Each read looks back LOOKBACK before the newest message sent:
    a transaction that stamped its message earlier but committed later is still found, and
    what was sent already is skipped."""

    LOOKBACK = timedelta(seconds=30)

    def __init__(self, start: datetime, skip: UUID | None) -> None:
        self.newest = start
        self.sent: dict[UUID, datetime] = {skip: start} if skip else {}

    @property
    def read_from(self) -> datetime:
        return self.newest - self.LOOKBACK

    def first_time(self, message: InboxMessage) -> bool:
        if message.id in self.sent:
            return False
        self.sent[message.id] = message.created_at
        self.newest = max(self.newest, message.created_at)
        horizon = self.read_from
        self.sent = {k: v for k, v in self.sent.items() if v >= horizon}
        return True
