"""HTTP routes: what SMS and voice providers tell us about messages they took, and what people
answered to them (a reply to an alert's SMS, a key pressed during its call).

`POST /v1/providers/status` is called by a provider, not by a person: it carries the provider
token (`Authorization: Bearer <provider_token>`, compared in constant time) instead of a
user's token, and names the message by the reference we sent it (see
usecases.provider_status). While no provider token is configured, every callback is refused."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.usecases import alert_replies, provider_status
from civicgrid_notifications.usecases.provider_status import STATUS_PATH
from civicgrid_platform.errors import NotAuthenticated

router = APIRouter(tags=["providers"])

# PostgreSQL text cannot hold U+0000: refused here, naming the field.
_NO_NUL = r"^[^\x00]*$"


class ProviderStatusWrite(BaseModel):
    # Providers add fields of their own; what we do not read does not refuse the callback.
    model_config = ConfigDict(extra="ignore")
    id: str = Field(
        min_length=1, max_length=128, pattern=_NO_NUL, description="The provider's message id"
    )
    reference: str = Field(
        max_length=80, description="<tenant id>:<delivery id>, as given with the message"
    )
    status: Literal["delivered", "failed"]
    detail: str = Field(default="", max_length=2000, pattern=_NO_NUL)


class ProviderStatusRead(BaseModel):
    delivery_id: str
    status: str = Field(description="The delivery's status after the callback")
    applied: bool = Field(description="false: the callback changed nothing (a repeat, or late)")


async def _provider(request: Request) -> None:
    expected = getattr(request.app.state, "provider_token", "") or ""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # Bytes: compare_digest refuses non-ASCII str, and a header may carry anything.
    if (
        not expected
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(given.strip().encode(), expected.encode())
    ):
        raise NotAuthenticated("a provider token is required")


Provider = Annotated[None, Depends(_provider)]


@router.post(STATUS_PATH)
async def provider_status_callback(
    body: ProviderStatusWrite, ctx: Ctx, _provider: Provider
) -> ProviderStatusRead:
    """A provider reports that a message arrived (delivered) or could not (failed)."""
    recorded = await provider_status.record_provider_status(
        ctx, body.reference, body.id, body.status, body.detail
    )
    return ProviderStatusRead(
        delivery_id=str(recorded.delivery_id), status=recorded.status, applied=recorded.applied
    )


class ProviderReplyWrite(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reference: str = Field(
        max_length=80,
        description="The reference of the message answered: <tenant id>:<delivery id>",
    )
    kind: Literal["sms_reply", "key_press"]
    answer: str = Field(
        max_length=500, pattern=_NO_NUL, description="The reply's text, or the keys pressed"
    )


class ProviderReplyRead(BaseModel):
    alert_id: str | None
    acknowledged: bool = Field(description="true: the one who answered now holds the alert")
    status: str


@router.post("/v1/providers/replies")
async def provider_reply_callback(
    body: ProviderReplyWrite, ctx: Ctx, _provider: Provider
) -> ProviderReplyRead:
    """Someone answered an alert's message: "1" (or ok, 收到, 确认…) by SMS, or key 1 on the
    call, acknowledges the alert for them. 409 when someone else already holds it."""
    outcome = await alert_replies.reply(ctx, body.reference, body.kind, body.answer)
    return ProviderReplyRead(
        alert_id=str(outcome.alert_id) if outcome.alert_id else None,
        acknowledged=outcome.acknowledged,
        status=outcome.status,
    )
