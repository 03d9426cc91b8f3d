"""One district's notifications are its own, twice over. In code: another district's staff,
admin and people (even the same person id signed in there) get "not found" or empty lists for
its alerts, deliveries, care profiles, duty roster, policy, preferences and inbox, and cannot
answer, acknowledge or drill any of it. In the database: repositories asked for the first
district inside a transaction bound to the other see nothing and change nothing, and
row-level security refuses rows written in the first district's name."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid.volunteers.v1 import events_pb2 as volunteer_events
from civicgrid_notifications.db.alerts_repo import AlertsRepository
from civicgrid_notifications.db.care_repo import CareProfile, CareRepository
from civicgrid_notifications.db.deliveries_repo import DeliveriesRepository
from civicgrid_notifications.db.inbox_repo import InboxRepository
from civicgrid_notifications.db.preferences_repo import PreferencesRepository
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_testkit import ServiceDatabase
from services.notifications.tests.alert_support import (
    PROVIDER_TOKEN,
    Household,
    household,
    set_up,
    wired,
)
from services.notifications.tests.identity_contract import Directory
from services.notifications.tests.messages_support import VOLUNTEERS, feed, rows
from services.notifications.tests.notifications_support import District, SettableClock
from services.notifications.tests.timers_support import stop_alert_timers

pytestmark = pytest.mark.integration


@dataclass
class Kept:
    """District A with one of everything: an open alert (and its deliveries), a care profile,
    a duty roster, a policy, a resident's preferences and inbox message."""

    ctx: NotificationsContext
    api: httpx.AsyncClient
    home: Household
    alert_id: uuid.UUID
    alert_sms: uuid.UUID  # a delivery of the alert (to family, by SMS)
    resident: uuid.UUID
    message: uuid.UUID  # the resident's inbox message
    delivery: uuid.UUID  # the resident's in-app delivery

    @property
    def tenant(self) -> uuid.UUID:
        return self.home.district.tenant_id


@pytest.fixture
async def kept(
    timed: NotificationsContext,
    notifications_db: ServiceDatabase,
    notifications_engine: AsyncEngine,
    district: District,
) -> AsyncIterator[Kept]:
    directory = Directory()
    home = household(directory, district)
    async with wired(timed, notifications_db, notifications_engine, directory) as (ctx, api):
        await set_up(api, home)
        policy = await api.put(
            "/v1/alert-policy", json={"step1_after_seconds": 90}, headers=district.admin()
        )
        assert policy.status_code == 200, policy.text
        raised = await api.post(
            "/v1/alerts", json={"person_id": str(home.elder)}, headers=district.staff()
        )
        assert raised.status_code == 201, raised.text
        alert_id = uuid.UUID(raised.json()["id"])
        [(alert_sms,)] = await rows(
            ctx,
            district.tenant_id,
            "SELECT id FROM deliveries WHERE tenant_id = :t AND alert_id = :a"
            " AND recipient LIKE 'contact:%' AND channel = 'sms'",
            t=district.tenant_id,
            a=alert_id,
        )
        resident = uuid.uuid4()
        saved = await api.put(
            "/v1/me/preferences",
            json={"locale": "en", "channels": {"volunteering": ["inapp"]}},
            headers=district.person(resident),
        )
        assert saved.status_code == 200, saved.text
        offer = volunteer_events.OfferMade(
            offer_id=str(uuid.uuid4()), task_id=str(uuid.uuid4()), person_id=str(resident)
        )
        await feed(ctx, (VOLUNTEERS, "offer.made", district.tenant_id, offer))
        [(message, delivery)] = await rows(
            ctx,
            district.tenant_id,
            "SELECT id, delivery_id FROM inbox_messages WHERE tenant_id = :t AND person_id = :p",
            t=district.tenant_id,
            p=resident,
        )
        try:
            yield Kept(ctx, api, home, alert_id, alert_sms, resident, message, delivery)
        finally:
            await stop_alert_timers(ctx, district)


async def test_notifications_another_district_gets_not_found_or_nothing_over_the_api(
    kept: Kept, clock: SettableClock
) -> None:
    api, home, a = kept.api, kept.home, kept.home.district
    b = District()
    staff_b, admin_b = b.staff(), b.admin()
    worker_b = b.person(home.worker, "community_staff")  # the same person id, signed in to B
    resident_b = b.person(kept.resident)
    alert = f"/v1/alerts/{kept.alert_id}"

    refused = [
        ("GET", alert, None, staff_b),
        ("GET", alert, None, admin_b),
        ("GET", alert, None, b.person(home.elder)),
        ("POST", f"{alert}/acknowledge", None, worker_b),
        ("POST", f"{alert}/on-site", None, worker_b),
        ("POST", f"{alert}/resolve", {"outcome": "helped_at_home"}, worker_b),
        ("GET", f"/v1/deliveries/{kept.alert_sms}", None, staff_b),
        ("GET", f"/v1/deliveries/{kept.delivery}", None, admin_b),
        ("GET", f"/v1/deliveries/{kept.delivery}", None, resident_b),
        ("GET", f"/v1/care-profiles/{home.elder}", None, staff_b),
        ("GET", f"/v1/care-profiles/{home.elder}", None, admin_b),
        (
            "POST",
            "/v1/alert-drills",
            {"person_id": str(home.elder), "at": clock.now.isoformat()},
            staff_b,
        ),
        ("POST", "/v1/me/inbox/read", {"ids": [str(kept.message)]}, resident_b),
    ]
    for method, url, body, headers in refused:
        answer = await api.request(method, url, json=body, headers=headers)
        assert answer.status_code == 404, f"{method} {url}: {answer.status_code} {answer.text}"

    assert (await api.get("/v1/alerts", headers=staff_b)).json() == {"items": []}
    assert (await api.get("/v1/alerts", params={"open": "false"}, headers=admin_b)).json() == {
        "items": []
    }
    for params in ({}, {"person_id": str(kept.resident)}, {"event_id": str(uuid.uuid4())}):
        listed = await api.get("/v1/deliveries", params=params, headers=staff_b)
        assert listed.status_code == 200 and listed.json()["items"] == [], params
    assert (await api.get("/v1/deliveries", headers=resident_b)).json()["items"] == []
    roster = await api.get(f"/v1/alert-duty/{home.grid}", headers=staff_b)
    assert roster.json() == {"unit_id": str(home.grid), "duties": {}}
    assert (await api.get("/v1/alert-policy", headers=staff_b)).json()["step1_after_seconds"] == 60
    prefs = (await api.get("/v1/me/preferences", headers=resident_b)).json()
    assert prefs["locale"] == "zh-CN" and prefs["channels"]["volunteering"] == ["inapp", "sms"]
    inbox = (await api.get("/v1/me/inbox", headers=resident_b)).json()
    assert inbox == {"items": [], "next_cursor": None, "unread": 0}
    assert (await api.post("/v1/me/inbox/read", json={}, headers=resident_b)).json() == {
        "marked": 0
    }
    # A provider's reply naming B with A's message finds nothing to acknowledge.
    reply = await api.post(
        "/v1/providers/replies",
        json={"reference": f"{b.tenant}:{kept.alert_sms}", "kind": "sms_reply", "answer": "1"},
        headers={"Authorization": f"Bearer {PROVIDER_TOKEN}"},
    )
    assert reply.status_code == 404
    # B writing under the same ids keeps to B.
    theirs = await api.put(
        f"/v1/alert-duty/{home.grid}",
        json={"duties": {"backup": [str(uuid.uuid4())]}},
        headers=staff_b,
    )
    assert theirs.status_code == 200
    b_profile = await api.put(
        f"/v1/care-profiles/{home.elder}", json={"display_name": "Someone Else"}, headers=staff_b
    )
    assert b_profile.status_code == 200

    # A is as it was.
    mine = await api.get(alert, headers=a.staff())
    assert mine.json()["status"] == "raised" and mine.json()["acknowledged_by"] is None
    profile = await api.get(f"/v1/care-profiles/{home.elder}", headers=a.staff())
    assert profile.json()["display_name"] == "Wang Nainai"
    duties = (await api.get(f"/v1/alert-duty/{home.grid}", headers=a.staff())).json()["duties"]
    assert duties == {"backup": [str(home.backup)]}
    assert (await api.get("/v1/alert-policy", headers=a.staff())).json()[
        "step1_after_seconds"
    ] == 90
    own = (await api.get("/v1/me/inbox", headers=a.person(kept.resident))).json()
    assert own["unread"] == 1 and own["items"][0]["id"] == str(kept.message)
    own_prefs = (await api.get("/v1/me/preferences", headers=a.person(kept.resident))).json()
    assert own_prefs["locale"] == "en" and own_prefs["channels"]["volunteering"] == ["inapp"]
    traced = await api.get(f"/v1/deliveries/{kept.alert_sms}", headers=a.staff())
    assert traced.status_code == 200 and traced.json()["alert_id"] == str(kept.alert_id)


async def test_notifications_row_level_security_alone_hides_another_districts_notifications(
    kept: Kept, clock: SettableClock
) -> None:
    home, tenant = kept.home, kept.tenant
    neighbour = uuid.uuid4()

    async with kept.ctx.uow(tenant_id=neighbour) as uow:
        session = uow.session
        # Repositories asked for district A, in a transaction bound to B: only the database
        # stands between them.
        alerts = AlertsRepository(session, tenant)
        assert await alerts.get(kept.alert_id) is None
        assert await alerts.listing(open_only=False, person_id=None, limit=10) == []
        assert await alerts.responders(kept.alert_id) == []
        assert await alerts.timeline(kept.alert_id) == []
        deliveries = DeliveriesRepository(session, tenant)
        assert await deliveries.get(kept.alert_sms) is None
        assert await deliveries.get(kept.delivery) is None
        assert await deliveries.listing(limit=10) == []
        inbox = InboxRepository(session, tenant, kept.resident)
        assert await inbox.page(unread_only=False, after=None, limit=10) == []
        assert await inbox.unread() == 0
        assert await inbox.get(kept.message) is None
        assert await inbox.since(clock.now - timedelta(days=1), 10) == []
        assert await inbox.mark_read(None, clock.now) == 0  # nothing to change
        care = CareRepository(session, tenant)
        assert await care.profile(home.elder) is None
        assert await care.full_roster(home.grid) == {}
        assert await care.roster([home.grid], "backup") == []
        assert await care.policy() is None
        assert await care.device(home.device_id) is None
        assert await PreferencesRepository(session, tenant).of([kept.resident]) == {}
        # No tenant filter in the SQL at all.
        for table in (
            "alerts",
            "alert_responders",
            "alert_timeline",
            "deliveries",
            "inbox_messages",
            "care_profiles",
            "alert_duty",
            "alert_policies",
            "preferences",
        ):
            seen = await session.execute(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            assert seen.scalar_one() == 0, table
        await uow.commit()

    # Writing in A's name from B's transaction is refused by the database.
    writes = [
        lambda s: CareRepository(s, tenant).save_profile(
            CareProfile(uuid.uuid4(), "Forged", "", None, "", None, None)
        ),
        lambda s: CareRepository(s, tenant).set_roster(home.grid, "worker", [uuid.uuid4()]),
        lambda s: CareRepository(s, tenant).save_policy({"step1_after_seconds": 1}),
        lambda s: PreferencesRepository(s, tenant).save(kept.resident, {"locale": "zh-CN"}),
        lambda s: AlertsRepository(s, tenant).note(kept.alert_id, clock.now, "forged", None),
    ]
    for write in writes:
        async with kept.ctx.uow(tenant_id=neighbour) as uow:
            with pytest.raises(DBAPIError, match="row-level security"):
                await write(uow.session)

    # District A is untouched, seen from its own transaction.
    async with kept.ctx.uow(tenant_id=tenant) as uow:
        assert await InboxRepository(uow.session, tenant, kept.resident).unread() == 1
        found = await AlertsRepository(uow.session, tenant).get(kept.alert_id)
        assert found is not None and found.status == "raised"
        assert "forged" not in [
            t.kind for t in await AlertsRepository(uow.session, tenant).timeline(kept.alert_id)
        ]
        care = CareRepository(uow.session, tenant)
        assert await care.full_roster(home.grid) == {"backup": [home.backup]}
        assert (await care.policy() or {})["step1_after_seconds"] == 90
        assert await care.profile(home.elder) is not None
        prefs = await PreferencesRepository(uow.session, tenant).of([kept.resident])
        assert prefs[kept.resident].locale == "en"
