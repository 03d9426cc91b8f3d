"""Alert devices: the press, the heartbeat, and "is help coming?". No bearer token: each
request is signed by the device (header X-Device-Signature: hex HMAC-SHA256 of the body under
the device's secret, checked by identity) and carries {"ts": unix seconds, "nonce": ...}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, status

from civicgrid_notifications.api import schemas_alerts as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.db.alerts_repo import Alert
from civicgrid_notifications.domain.alerts import ACKNOWLEDGED, ON_SITE
from civicgrid_notifications.usecases import alert_devices
from civicgrid_platform.errors import InvalidInput

router = APIRouter(tags=["devices"])
# Hex only: anything else is refused here, naming the header, rather than passed to identity.
Signature = Annotated[
    str,
    Header(alias="X-Device-Signature", min_length=1, max_length=128, pattern=r"^[0-9a-fA-F]+$"),
]
MAX_BODY = 1024


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidInput(f"at most {MAX_BODY} bytes", field="body")
    return body


@router.post("/v1/devices/{device_id}/press", status_code=status.HTTP_201_CREATED)
async def press(
    device_id: str, request: Request, signature: Signature, ctx: Ctx
) -> schemas.DeviceAnswer:
    """One press: the alert is raised and step 0 asked at once. A replayed press is 409."""
    _, alert = await alert_devices.press(ctx, device_id, signature, await _body(request))
    return _answer(alert)


@router.post("/v1/devices/{device_id}/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
async def heartbeat(device_id: str, request: Request, signature: Signature, ctx: Ctx) -> None:
    await alert_devices.heartbeat(ctx, device_id, signature, await _body(request))


@router.post("/v1/devices/{device_id}/status")
async def device_status(
    device_id: str, request: Request, signature: Signature, ctx: Ctx
) -> schemas.DeviceAnswer:
    """The device's light: its latest alert and whether someone is on the way."""
    alert = await alert_devices.latest(ctx, device_id, signature, await _body(request))
    return _answer(alert)


def _answer(alert: Alert | None) -> schemas.DeviceAnswer:
    if alert is None:
        return schemas.DeviceAnswer(
            alert_id=None, status="none", help_coming=False, responder_name=None
        )
    return schemas.DeviceAnswer(
        alert_id=alert.id,
        status=alert.status,
        help_coming=alert.status in (ACKNOWLEDGED, ON_SITE),
        responder_name=alert.acknowledged_name,
    )
