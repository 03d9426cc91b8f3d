"""The emergency-alert chain against the real database, with identity over the wire: a press
raises the alert and asks step 0 at once; silence climbs to step 1 and step 2; acknowledging at
any point stops it; an acknowledged alert nobody reached in time starts over; stale and
duplicated timers change nothing; a lost timer is repaired; drills spare the family; a replayed
press is refused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.db.deliveries_repo import DeliveriesRepository
from civicgrid_notifications.usecases.alert_chain import STEP_TIMER
from civicgrid_notifications.usecases.alert_timers import next_step
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.timers import DueTimer
from civicgrid_testkit import ServiceDatabase
from services.notifications.tests.alert_support import (
    PROVIDER_TOKEN,
    Household,
    advance,
    asked,
    events,
    household,
    person,
    set_up,
    settle,
    wired,
)
from services.notifications.tests.identity_contract import Directory
from services.notifications.tests.notifications_support import District, SettableClock

pytestmark = pytest.mark.integration


@dataclass
class Chain:
    ctx: NotificationsContext
    api: httpx.AsyncClient
    home: Household
    clock: SettableClock
    directory: Directory

    async def press(self, **signing: object) -> httpx.Response:
        signing.setdefault("ts", self.clock.now.timestamp())
        body, headers = self.home.signed(**signing)  # type: ignore[arg-type]
        return await self.api.post(
            f"/v1/devices/{self.home.device_id}/press", content=body, headers=headers
        )

    async def raised(self) -> str:
        answer = await self.press()
        assert answer.status_code == 201, answer.text
        return str(answer.json()["alert_id"])

    async def alert(self, alert_id: str) -> dict[str, object]:
        found = await self.api.get(f"/v1/alerts/{alert_id}", headers=self.home.district.staff())
        assert found.status_code == 200, found.text
        return dict(found.json())

    def as_(self, who: uuid.UUID) -> dict[str, str]:
        return self.home.district.person(who, "community_staff")


@pytest.fixture
async def chain(
    timed: NotificationsContext,
    clock: SettableClock,
    notifications_db: ServiceDatabase,
    notifications_engine: AsyncEngine,
    district: District,
) -> AsyncIterator[Chain]:
    directory = Directory()
    home = household(directory, district)
    async with wired(timed, notifications_db, notifications_engine, directory) as (ctx, api):
        await set_up(api, home)
        yield Chain(ctx, api, home, clock, directory)


async def test_notifications_alert_press_asks_step_zero_at_once_on_urgent_channels(
    chain: Chain,
) -> None:
    alert_id = await chain.raised()
    home = chain.home
    messages = await asked(chain.ctx, home.district.tenant_id, alert_id)
    assert messages[person(home.worker)] == {"inapp", "sms", "voice"}
    assert messages[person(home.grid_leader)] == {"inapp", "sms", "voice"}
    family = [r for r in messages if r.startswith("contact:")]
    assert len(family) == 1 and messages[family[0]] == {"sms", "voice"}
    assert person(home.backup) not in messages and person(home.supervisor) not in messages
    # The family came with the device's check: one call to identity for the press, not two.
    assert chain.directory.calls["ResolveDevice"] == 1
    assert chain.directory.calls["GetEmergencyContacts"] == 0
    alert = await chain.alert(alert_id)
    assert alert["status"] == "raised" and alert["step"] == 0
    assert alert["person_name"] == "Wang Nainai"
    assert [
        e for e in await events(chain.ctx, home.district.tenant_id) if e.startswith("alert.")
    ] == [
        "alert.raised",
        "alert.step_started",
    ]


async def test_notifications_alert_silence_climbs_to_step_one_then_step_two(chain: Chain) -> None:
    alert_id = await chain.raised()
    home, tenant = chain.home, chain.home.district.tenant_id
    await advance(chain.ctx, chain.clock, 59)
    assert person(home.backup) not in await asked(chain.ctx, tenant, alert_id)

    await advance(chain.ctx, chain.clock, 1)
    after_one = await asked(chain.ctx, tenant, alert_id)
    assert person(home.backup) in after_one
    assert len([r for r in after_one if r.startswith("contact:")]) == 2  # the second contact too
    assert person(home.supervisor) not in after_one

    await advance(chain.ctx, chain.clock, 240)  # 300 s after the press
    after_two = await asked(chain.ctx, tenant, alert_id)
    assert person(home.supervisor) in after_two and person(home.desk) in after_two
    alert = await chain.alert(alert_id)
    assert alert["step"] == 2
    kinds = [entry["kind"] for entry in alert["timeline"]]  # type: ignore[union-attr]
    assert kinds.count("escalated") == 2
    assert (await events(chain.ctx, tenant)).count("alert.escalated") == 2


@pytest.mark.parametrize("answer_after", [0, 60, 300])
async def test_notifications_alert_acknowledging_at_any_step_stops_the_chain(
    chain: Chain, answer_after: int
) -> None:
    alert_id = await chain.raised()
    home, tenant = chain.home, chain.home.district.tenant_id
    await advance(chain.ctx, chain.clock, answer_after)
    step_before = (await chain.alert(alert_id))["step"]

    ack = await chain.api.post(f"/v1/alerts/{alert_id}/acknowledge", headers=chain.as_(home.worker))
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledged_name"] == "Li Worker"
    queued = await _statuses(chain.ctx, tenant, alert_id)
    assert "queued" not in queued  # what had not left yet never will

    await advance(chain.ctx, chain.clock, 600)
    alert = await chain.alert(alert_id)
    assert alert["step"] == step_before and alert["status"] == "acknowledged"
    # Someone else cannot take it over; the same responder repeating is harmless.
    other = await chain.api.post(
        f"/v1/alerts/{alert_id}/acknowledge", headers=chain.as_(home.grid_leader)
    )
    assert other.status_code == 409
    again = await chain.api.post(
        f"/v1/alerts/{alert_id}/acknowledge", headers=chain.as_(home.worker)
    )
    assert again.status_code == 200


async def test_notifications_alert_not_on_site_in_time_restarts_escalation(chain: Chain) -> None:
    alert_id = await chain.raised()
    home = chain.home
    await chain.api.post(f"/v1/alerts/{alert_id}/acknowledge", headers=chain.as_(home.worker))
    await advance(chain.ctx, chain.clock, 899)
    assert (await chain.alert(alert_id))["status"] == "acknowledged"
    await advance(chain.ctx, chain.clock, 1)
    alert = await chain.alert(alert_id)
    assert alert["status"] == "raised" and alert["step"] == 0
    assert "restarted" in [e["kind"] for e in alert["timeline"]]  # type: ignore[union-attr]
    # The chain runs again: a minute later step 1 asks the backup.
    await advance(chain.ctx, chain.clock, 60)
    assert (await chain.alert(alert_id))["step"] == 1


async def test_notifications_alert_on_site_and_resolve_close_it_and_the_device_hears_help_coming(
    chain: Chain,
) -> None:
    alert_id = await chain.raised()
    home = chain.home
    worker = chain.as_(home.worker)
    await chain.api.post(f"/v1/alerts/{alert_id}/acknowledge", headers=worker)
    body, headers = home.signed(ts=chain.clock.now.timestamp())
    light = await chain.api.post(
        f"/v1/devices/{home.device_id}/status", content=body, headers=headers
    )
    assert light.json()["help_coming"] is True and light.json()["responder_name"] == "Li Worker"

    early = await chain.api.post(
        f"/v1/alerts/{alert_id}/on-site", headers=chain.as_(home.grid_leader)
    )
    assert early.status_code == 409
    here = await chain.api.post(f"/v1/alerts/{alert_id}/on-site", headers=worker)
    assert here.json()["status"] == "on_site"
    bad = await chain.api.post(
        f"/v1/alerts/{alert_id}/resolve", json={"outcome": "vanished"}, headers=worker
    )
    assert bad.status_code == 422 and "outcome" in bad.text
    done = await chain.api.post(
        f"/v1/alerts/{alert_id}/resolve",
        json={"outcome": "helped_at_home", "note": "fell, unhurt"},
        headers=worker,
    )
    assert done.json()["status"] == "resolved"
    await advance(chain.ctx, chain.clock, 3600)
    assert (await chain.alert(alert_id))["status"] == "resolved"
    tenant = home.district.tenant_id
    assert [
        e for e in await events(chain.ctx, tenant) if e in ("alert.on_site", "alert.resolved")
    ] == [
        "alert.on_site",
        "alert.resolved",
    ]


async def test_notifications_alert_stale_and_duplicated_timers_change_nothing(chain: Chain) -> None:
    alert_id = uuid.UUID(await chain.raised())
    tenant = chain.home.district.tenant_id
    stale = DueTimer(tenant, STEP_TIMER, alert_id, chain.clock.now)
    # Early: the alert's own clock says step 1 is a minute away.
    async with chain.ctx.uow(tenant_id=tenant) as uow:
        await next_step(chain.ctx, uow, stale)
        await uow.commit()
    assert (await chain.alert(str(alert_id)))["step"] == 0

    chain.clock.advance(seconds=60)
    async with chain.ctx.uow(tenant_id=tenant) as uow:
        await next_step(chain.ctx, uow, stale)
        await next_step(chain.ctx, uow, stale)  # the same timer twice
        await uow.commit()
    assert (await chain.alert(str(alert_id)))["step"] == 1

    await chain.api.post(f"/v1/alerts/{alert_id}/acknowledge", headers=chain.as_(chain.home.worker))
    chain.clock.advance(seconds=600)
    async with chain.ctx.uow(tenant_id=tenant) as uow:
        await next_step(chain.ctx, uow, stale)  # acknowledged meanwhile: a no-op
        await uow.commit()
    assert (await chain.alert(str(alert_id)))["step"] == 1


async def test_notifications_alert_the_auditor_repairs_a_chain_that_lost_its_timer(
    chain: Chain,
) -> None:
    alert_id = await chain.raised()
    tenant = chain.home.district.tenant_id
    async with chain.ctx.uow(tenant_id=tenant) as uow:
        await timers.cancel(uow.session, STEP_TIMER, uuid.UUID(alert_id))
        await uow.commit()
    await advance(chain.ctx, chain.clock, 119)
    assert (await chain.alert(alert_id))["step"] == 0  # stuck: nothing moves it
    await advance(chain.ctx, chain.clock, 1)  # the auditor's round (every 2 minutes)
    await advance(chain.ctx, chain.clock, 0)
    alert = await chain.alert(alert_id)
    assert "repaired" in [e["kind"] for e in alert["timeline"]]  # type: ignore[union-attr]
    assert alert["step"] == 1


async def test_notifications_alert_chain_continues_from_the_database_in_a_new_process(
    chain: Chain, notifications_engine: AsyncEngine
) -> None:
    alert_id = await chain.raised()
    # Everything the first process knew in memory is gone: a new context on a new pool.
    reborn = replace(chain.ctx, uow=UnitOfWorkFactory(notifications_engine))
    chain.clock.advance(seconds=60)
    assert await settle(reborn) >= 1
    assert (await chain.alert(alert_id))["step"] == 1


async def test_notifications_alert_a_replayed_or_forged_press_is_refused(chain: Chain) -> None:
    home = chain.home
    body, headers = home.signed(ts=chain.clock.now.timestamp(), nonce="nonce-123456")
    first = await chain.api.post(
        f"/v1/devices/{home.device_id}/press", content=body, headers=headers
    )
    assert first.status_code == 201
    replay = await chain.api.post(
        f"/v1/devices/{home.device_id}/press", content=body, headers=headers
    )
    assert replay.status_code == 409
    forged = await chain.api.post(
        f"/v1/devices/{home.device_id}/press",
        content=body.replace(b"nonce-123456", b"nonce-654321"),
        headers=headers,
    )
    assert forged.status_code == 401
    old = await chain.press(ts=chain.clock.now.timestamp() - 3600)
    assert old.status_code == 422 and "ts" in old.text
    # A second real press while the alert is open answers with the same alert.
    again = await chain.press()
    assert again.status_code == 201 and again.json()["alert_id"] == first.json()["alert_id"]


async def test_notifications_alert_drill_spares_the_family_and_closes_on_the_first_answer(
    chain: Chain,
) -> None:
    home = chain.home
    scheduled = await chain.api.post(
        "/v1/alert-drills",
        json={"person_id": str(home.elder), "at": chain.clock.now.isoformat()},
        headers=home.district.staff(),
    )
    assert scheduled.status_code == 201, scheduled.text
    await settle(chain.ctx)
    listed = await chain.api.get("/v1/alerts", headers=home.district.staff())
    drill = next(a for a in listed.json()["items"] if a["drill"])
    messages = await asked(chain.ctx, home.district.tenant_id, drill["id"])
    assert not [r for r in messages if r.startswith("contact:")]
    assert person(home.worker) in messages
    ack = await chain.api.post(
        f"/v1/alerts/{drill['id']}/acknowledge", headers=chain.as_(home.worker)
    )
    assert ack.json()["status"] == "resolved" and ack.json()["outcome"] == "drill_passed"


async def test_notifications_alert_a_press_joins_the_open_real_alert_not_a_later_drill(
    chain: Chain,
) -> None:
    home = chain.home
    real = await chain.raised()
    chain.clock.advance(seconds=30)
    scheduled = await chain.api.post(
        "/v1/alert-drills",
        json={"person_id": str(home.elder), "at": chain.clock.now.isoformat()},
        headers=home.district.staff(),
    )
    assert scheduled.status_code == 201, scheduled.text
    await settle(chain.ctx)
    listed = await chain.api.get("/v1/alerts", headers=home.district.staff())
    assert any(a["drill"] and a["status"] != "resolved" for a in listed.json()["items"])
    # The latest open alert is the drill; the press still belongs to the real one.
    again = await chain.press()
    assert again.status_code == 201 and again.json()["alert_id"] == real


async def _statuses(ctx: NotificationsContext, tenant: uuid.UUID, alert_id: str) -> set[str]:
    async with ctx.uow(tenant_id=tenant) as uow:
        found = await uow.session.execute(
            text("SELECT DISTINCT status FROM deliveries WHERE tenant_id = :t AND alert_id = :a"),
            {"t": tenant, "a": uuid.UUID(alert_id)},
        )
        return {s for (s,) in found}


@pytest.mark.parametrize(
    ("kind", "answer", "via"), [("sms_reply", " 收到 ", "sms"), ("key_press", "1", "voice")]
)
async def test_notifications_alert_a_reply_or_a_key_press_acknowledges_for_that_person(
    chain: Chain, kind: str, answer: str, via: str
) -> None:
    alert_id = await chain.raised()
    tenant = chain.home.district.tenant_id
    async with chain.ctx.uow(tenant_id=tenant) as uow:
        found = await uow.session.execute(
            text(
                "SELECT id, recipient FROM deliveries WHERE tenant_id = :t AND alert_id = :a"
                " AND recipient LIKE 'contact:%' AND channel = :c"
            ),
            {"t": tenant, "a": uuid.UUID(alert_id), "c": "sms" if via == "sms" else "voice"},
        )
        delivery_id, contact = found.one()
    provider = {"Authorization": f"Bearer {PROVIDER_TOKEN}"}
    reference = f"{tenant}:{delivery_id}"
    noise = await chain.api.post(
        "/v1/providers/replies",
        json={
            "reference": reference,
            "kind": kind,
            "answer": "who is this?" if via == "sms" else "9",
        },
        headers=provider,
    )
    assert noise.status_code == 200 and noise.json()["acknowledged"] is False
    forged = await chain.api.post(
        "/v1/providers/replies",
        json={"reference": reference, "kind": kind, "answer": answer},
        headers={"Authorization": "Bearer guess"},
    )
    assert forged.status_code == 401
    yes = await chain.api.post(
        "/v1/providers/replies",
        json={"reference": reference, "kind": kind, "answer": answer},
        headers=provider,
    )
    assert yes.status_code == 200 and yes.json()["acknowledged"] is True
    alert = await chain.alert(alert_id)
    assert alert["status"] == "acknowledged" and alert["acknowledged_by"] == contact
    assert alert["acknowledged_name"] == "Wang Daughter"
    ack = next(e for e in alert["timeline"] if e["kind"] == "acknowledged")  # type: ignore[union-attr]
    assert ack["detail"]["via"] == via
    # She has no account: staff record that she is there.
    here = await chain.api.post(
        f"/v1/alerts/{alert_id}/on-site", headers=chain.as_(chain.home.worker)
    )
    assert here.status_code == 200 and here.json()["status"] == "on_site"
    alert = await chain.alert(alert_id)
    arrived = next(e for e in alert["timeline"] if e["kind"] == "on_site")  # type: ignore[union-attr]
    assert arrived["detail"]["responder"] == contact
    assert arrived["detail"]["recorded_by"] == f"person:{chain.home.worker}"


async def test_notifications_alert_after_a_gap_in_the_timers_asks_again_once_not_per_missed_round(
    chain: Chain,
) -> None:
    alert_id = await chain.raised()
    await advance(chain.ctx, chain.clock, 300)  # steps 1 and 2
    await advance(chain.ctx, chain.clock, 3600)  # an hour without the timers component
    alert = await chain.alert(alert_id)
    rounds = [e for e in alert["timeline"] if e["kind"] == "asked_again"]  # type: ignore[union-attr]
    assert len(rounds) == 1
    await advance(chain.ctx, chain.clock, 60)  # and then on the regular beat
    alert = await chain.alert(alert_id)
    assert len([e for e in alert["timeline"] if e["kind"] == "asked_again"]) == 2  # type: ignore[union-attr]


async def test_notifications_alert_an_acknowledgement_during_a_send_waits_and_spares_what_went(
    chain: Chain,
) -> None:
    # The dispatcher holds a group's rows while the providers answer; an acknowledgement that
    # arrives then waits for the group, leaves what was sent as sent and withdraws the rest.
    alert_id = await chain.raised()
    tenant = chain.home.district.tenant_id
    async with chain.ctx.uow(tenant_id=tenant) as uow:
        rows = await uow.session.execute(
            text(
                "SELECT id FROM deliveries WHERE tenant_id = :t AND alert_id = :a"
                " AND status = 'queued' ORDER BY id DESC"
            ),
            {"t": tenant, "a": uuid.UUID(alert_id)},
        )
        queued = [r for (r,) in rows]
    assert len(queued) >= 4
    sent, left = queued[: len(queued) // 2], queued[len(queued) // 2 :]

    async with chain.ctx.uow(tenant_id=tenant) as sending:
        repo = DeliveriesRepository(sending.session, tenant)
        assert len(await repo.lock_many(queued)) == len(queued)
        ack = asyncio.create_task(
            chain.api.post(
                f"/v1/alerts/{alert_id}/acknowledge", headers=chain.as_(chain.home.worker)
            )
        )
        await asyncio.sleep(0.5)
        assert not ack.done(), "the acknowledgement did not wait for the rows being sent"
        await repo.change_many([(d, {"status": "sent"}) for d in sent])
        await sending.commit()
    answer = await asyncio.wait_for(ack, 10)
    assert answer.status_code == 200, answer.text

    async with chain.ctx.uow(tenant_id=tenant) as uow:
        found = await uow.session.execute(
            text("SELECT id, status FROM deliveries WHERE id = ANY(:ids)"), {"ids": queued}
        )
        statuses = dict(found.all())
    assert {statuses[d] for d in sent} == {"sent"}
    assert {statuses[d] for d in left} == {"suppressed"}
