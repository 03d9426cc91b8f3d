"""Press the demo elder's alert button: `uv run python -m civicgrid_devstack.press` (after
`make run`). Signs the press with the device secret from .run/demo.json, as the button does."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sys
import time
from pathlib import Path

import httpx

DEMO = Path(".run/demo.json")


def main() -> None:
    demo = json.loads(DEMO.read_text())
    device = demo["alert_device"]
    body = json.dumps({"ts": int(time.time()), "nonce": secrets.token_hex(8)}).encode()
    signature = hmac.new(device["secret"].encode(), body, hashlib.sha256).hexdigest()
    answer = httpx.post(
        f"{demo['entry']}/api/notifications/v1/devices/{device['device_id']}/press",
        content=body,
        headers={"X-Device-Signature": signature, "content-type": "application/json"},
        timeout=10,
    )
    print(answer.status_code, answer.text)
    sys.exit(0 if answer.status_code == 201 else 1)


if __name__ == "__main__":
    main()
