"""The emergency-alert chain across processes. An elderly resident living alone presses her
device: notifications (asking identity over gRPC who she is, who looks after her grid and
whom to call in her family) reaches the community worker and her first family contact by SMS
and voice at once, and refuses the same press replayed or a press signed with a wrong secret.
Tickets hear the alert through Kafka and open a P0 ticket for it. Notifications is killed
(SIGKILL, no drain) right after step 0; a new process on the same database carries the chain
on from its timers: step 1 calls the second contact, step 2 follows. The daughter's SMS reply
acknowledges the alert, staff close it, and the ticket follows every step."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from civicgrid_devstack.services import ServiceProcess
from tests.e2e.e2e_support import (
    PROVIDER_TOKEN,
    PhoneProvider,
    district_admin,
    restarted,
    until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PASSWORD = "correct-horse-1"
# The district's policy: step 1 this long after the press, step 2 this long after it.
STEP1, STEP2 = 10, 20


@dataclass(frozen=True)
class Household:
    """An elderly person living alone in a district made through identity, her family in the
    order they are called, her alert device, and the community worker of her grid."""

    admin: dict[str, str]
    elder_id: str
    as_elder: dict[str, str]
    worker_phone: str
    as_worker: dict[str, str]
    daughter: str  # phones
    son: str
    grid_id: str
    device_id: str
    secret: str

    def press(self, secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """What her device sends: a fresh {"ts", "nonce"}, HMAC-SHA256 signed in hex."""
        body = json.dumps({"ts": int(time.time()), "nonce": secrets.token_hex(12)}).encode()
        signature = hmac.new((secret or self.secret).encode(), body, hashlib.sha256).hexdigest()
        return body, {"X-Device-Signature": signature, "content-type": "application/json"}


async def test_e2e_alert_chain_survives_a_killed_process_and_its_ticket_follows(
    identity_process: ServiceProcess,
    tickets_process: ServiceProcess,
    notifications_process: ServiceProcess,
    phone_provider: PhoneProvider,
) -> None:
    async with (
        httpx.AsyncClient(base_url=identity_process.base_url, timeout=30) as identity,
        httpx.AsyncClient(base_url=tickets_process.base_url, timeout=30) as tickets,
    ):
        home = await _household(identity)
        async with httpx.AsyncClient(base_url=notifications_process.base_url, timeout=30) as first:
            await _set_up_the_chain(first, home)
            pressed_at = time.monotonic()
            alert_id = await _press_reaches_step_zero(first, home, phone_provider)
            raised = await _alert(first, home, alert_id)
            assert (raised["status"], raised["step"]) == ("raised", 0)

        # Killed right after step 0: no drain, nothing finished on the way out.
        killed = notifications_process.process
        assert killed is not None
        killed.kill()
        killed.wait()
        # Past step 1's time nobody has called the son: the chain stood still with the process.
        await asyncio.sleep(max(0.0, pressed_at + STEP1 + 1 - time.monotonic()))
        assert phone_provider.to(home.son) == []

        async with (
            restarted(notifications_process) as second,
            httpx.AsyncClient(base_url=second.base_url, timeout=30) as notifications,
        ):
            await _chain_goes_on_from_the_database(notifications, home, alert_id, phone_provider)

            # The alert's raising (committed with it, relayed through Kafka by whichever
            # process got to it) became a P0 ticket, reported by the elder, in her grid, its
            # clocks started by the press.
            ticket = await _alert_ticket(tickets, home)
            assert (ticket["category"], ticket["channel"]) == ("elderly_alert", "elderly_alert")
            assert (ticket["priority"], ticket["status"]) == ("P0", "submitted")
            assert ticket["grid_id"] == home.grid_id
            assert datetime.fromisoformat(ticket["created_at"]) == datetime.fromisoformat(
                raised["raised_at"]
            )

            await _daughter_answers_by_sms(notifications, home, alert_id, phone_provider)
            await _ticket_reaches(tickets, home, ticket["id"], "acknowledged")
            # She holds the alert and has no account: staff record her arrival, then close it.
            here = await notifications.post(
                f"/v1/alerts/{alert_id}/on-site", headers=home.as_worker
            )
            assert here.status_code == 200 and here.json()["status"] == "on_site", here.text
            await _ticket_reaches(tickets, home, ticket["id"], "in_progress")
            done = await notifications.post(
                f"/v1/alerts/{alert_id}/resolve",
                json={"outcome": "family_took_over", "note": "女儿已到家"},
                headers=home.as_worker,
            )
            assert done.status_code == 200, done.text
            assert done.json()["status"] == "resolved"
            history = await _ticket_reaches(tickets, home, ticket["id"], "resolved")

    # The ticket's history follows the alert's timeline, the system acting for the chain.
    followed = [(h["action"], h["to_status"]) for h in history if h["actor_id"] == "system"]
    assert followed == [
        ("submit", "submitted"),
        ("alert_step_started", "submitted"),
        ("alert_escalated", "submitted"),
        ("alert_step_started", "submitted"),
        ("alert_escalated", "submitted"),
        ("alert_step_started", "submitted"),
        ("acknowledge", "acknowledged"),
        ("start", "in_progress"),
        ("resolve", "resolved"),
    ], history
    acknowledged = next(h for h in history if h["action"] == "acknowledge")
    assert (acknowledged["details"]["via"], acknowledged["details"]["responder_name"]) == (
        "sms",
        "王芳",
    )
    resolved = next(h for h in history if h["action"] == "resolve")
    assert resolved["details"]["outcome"] == "family_took_over"


async def _household(identity: httpx.AsyncClient) -> Household:
    slug, token = await district_admin(identity, "alerts")
    admin = {"Authorization": f"Bearer {token}"}
    grid_id = str(uuid.uuid4())  # role bindings take any unit of the hierarchy by its id
    elder = await _register(identity, slug, "王奶奶", living_alone=True)
    worker = await _register(identity, slug, "李社工")
    granted = await identity.post(
        f"/v1/people/{worker['id']}/role-bindings",
        json={"role": "community_staff", "unit_id": grid_id},
        headers=admin,
    )
    assert granted.status_code == 201, granted.text
    as_elder = await _login(identity, slug, elder["phone"])
    daughter, son = f"+86{_phone()}", f"+86{_phone()}"
    contacts = [
        {"name": "王芳", "relation": "daughter", "phone": daughter, "preferred_channel": "voice"},
        {"name": "王强", "relation": "son", "phone": son, "preferred_channel": "sms"},
    ]
    put = await identity.put(
        f"/v1/people/{elder['id']}/emergency-contacts",
        json={"contacts": contacts},
        headers=as_elder,
    )
    assert put.status_code == 200, put.text
    device_id = f"e2e-{uuid.uuid4().hex[:16]}"
    bound = await identity.post(
        f"/v1/people/{elder['id']}/devices", json={"device_id": device_id}, headers=admin
    )
    assert bound.status_code == 201, bound.text
    return Household(
        admin=admin,
        elder_id=elder["id"],
        as_elder=as_elder,
        worker_phone=worker["phone"],
        as_worker=await _login(identity, slug, worker["phone"]),  # holding the role now
        daughter=daughter,
        son=son,
        grid_id=grid_id,
        device_id=device_id,
        secret=bound.json()["secret"],
    )


async def _set_up_the_chain(notifications: httpx.AsyncClient, home: Household) -> None:
    policy = await notifications.put(
        "/v1/alert-policy",
        json={"step1_after_seconds": STEP1, "step2_after_seconds": STEP2},
        headers=home.admin,
    )
    assert policy.status_code == 200, policy.text
    profile = await notifications.put(
        f"/v1/care-profiles/{home.elder_id}",
        json={"display_name": "王奶奶", "grid_id": home.grid_id, "address": "幸福路8号2单元301"},
        headers=home.as_worker,
    )
    assert profile.status_code == 200, profile.text


async def _press_reaches_step_zero(
    notifications: httpx.AsyncClient, home: Household, provider: PhoneProvider
) -> str:
    """The press raises the alert; the worker and the daughter are called and texted at once;
    the same press again, or one signed with another secret, is refused."""
    press = f"/v1/devices/{home.device_id}/press"
    body, signed = home.press()
    pressed = await notifications.post(press, content=body, headers=signed)
    assert pressed.status_code == 201, pressed.text
    assert (pressed.json()["status"], pressed.json()["help_coming"]) == ("raised", False)
    replayed = await notifications.post(press, content=body, headers=signed)
    assert replayed.status_code == 409, replayed.text
    forged_body, forged = home.press(secret="a-secret-that-is-not-the-device-one")
    refused = await notifications.post(press, content=forged_body, headers=forged)
    assert refused.status_code == 401, refused.text

    async def step_zero_reached() -> bool:
        return all(_called_and_texted(provider, p) for p in (home.worker_phone, home.daughter))

    await until(step_zero_reached, "the worker and the daughter called and texted", 15)
    assert provider.to(home.son) == []
    return str(pressed.json()["alert_id"])


async def _chain_goes_on_from_the_database(
    notifications: httpx.AsyncClient, home: Household, alert_id: str, provider: PhoneProvider
) -> None:
    """The new process finds the overdue step timer: step 1 calls the son, step 2 follows."""

    async def son_reached() -> bool:
        return _called_and_texted(provider, home.son)

    await until(son_reached, "step 1 calling and texting the son", 20)

    async def at_step_two() -> dict[str, Any] | None:
        alert = await _alert(notifications, home, alert_id)
        return alert if alert["step"] == 2 else None

    alert = await until(at_step_two, "step 2", STEP2)
    assert alert["status"] == "raised"
    steps = [(e["kind"], e["step"]) for e in alert["timeline"] if e["kind"] != "raised"]
    assert steps == [
        ("step_started", 0),
        ("escalated", 1),
        ("step_started", 1),
        ("escalated", 2),
        ("step_started", 2),
    ]
    family = {r["name"]: r["step"] for r in alert["responders"] if r["role"] == "family"}
    assert family == {"王芳": 0, "王强": 1}


async def _daughter_answers_by_sms(
    notifications: httpx.AsyncClient, home: Household, alert_id: str, provider: PhoneProvider
) -> None:
    """Her "1" in reply to the alert's SMS, passed on by the provider: she holds the alert now,
    and the elder's device shows that help is coming."""
    texted = next(m for m in provider.to(home.daughter) if m.kind == "sms")
    reply = await notifications.post(
        "/v1/providers/replies",
        json={"reference": texted.reference, "kind": "sms_reply", "answer": "1"},
        headers={"Authorization": f"Bearer {PROVIDER_TOKEN}"},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"alert_id": alert_id, "acknowledged": True, "status": "acknowledged"}
    alert = await _alert(notifications, home, alert_id)
    assert alert["acknowledged_by"].startswith("contact:")
    assert alert["acknowledged_name"] == "王芳"
    body, signed = home.press()
    light = await notifications.post(
        f"/v1/devices/{home.device_id}/status", content=body, headers=signed
    )
    assert light.status_code == 200, light.text
    assert (light.json()["help_coming"], light.json()["responder_name"]) == (True, "王芳")


async def _alert(
    notifications: httpx.AsyncClient, home: Household, alert_id: str
) -> dict[str, Any]:
    found = await notifications.get(f"/v1/alerts/{alert_id}", headers=home.as_worker)
    assert found.status_code == 200, found.text
    return dict(found.json())


async def _alert_ticket(tickets: httpx.AsyncClient, home: Household) -> dict[str, Any]:
    async def listed() -> list[dict[str, Any]]:
        mine = await tickets.get(
            "/v1/tickets", params={"category": "elderly_alert"}, headers=home.as_elder
        )
        assert mine.status_code == 200, mine.text
        return list(mine.json()["items"])

    # Through Kafka: a broker that served many runs first replays their events to tickets.
    [ticket] = await until(listed, "the alert's ticket", 60)
    return ticket


async def _ticket_reaches(
    tickets: httpx.AsyncClient, home: Household, ticket_id: str, status: str
) -> list[dict[str, Any]]:
    """The ticket's history once it has reached `status` (the elder, its reporter, reads it)."""

    async def reached() -> list[dict[str, Any]] | None:
        found = await tickets.get(f"/v1/tickets/{ticket_id}", headers=home.as_elder)
        assert found.status_code == 200, found.text
        if found.json()["status"] != status:
            return None
        history = await tickets.get(f"/v1/tickets/{ticket_id}/history", headers=home.as_elder)
        assert history.status_code == 200, history.text
        return list(history.json())

    return await until(reached, f"the ticket {status}", 30)


def _called_and_texted(provider: PhoneProvider, phone: str) -> bool:
    return {m.kind for m in provider.to(phone)} == {"sms", "voice"}


def _phone() -> str:
    return f"139{secrets.randbelow(10**8):08d}"


async def _register(
    identity: httpx.AsyncClient, slug: str, name: str, **extra: Any
) -> dict[str, Any]:
    body = {"tenant": slug, "display_name": name, "phone": _phone(), "password": PASSWORD}
    registered = await identity.post("/v1/residents", json=body | extra)
    assert registered.status_code == 201, registered.text
    return dict(registered.json())


async def _login(identity: httpx.AsyncClient, slug: str, phone: str) -> dict[str, str]:
    login = await identity.post(
        "/v1/auth/login", json={"tenant": slug, "username": phone, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}
