"""What the message pipeline gets from render_message: the district's template where it saved
one, else the built-in, in the recipient's language or the nearest one; new versions are used
as soon as this process saves them and within the cache's bound when another process does;
and rendering a district's messages costs no query per message."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.db.templates_repo import TemplatesRepository
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.domain.templates import Rendered, check_key
from civicgrid_notifications.usecases import templates
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.template_cache import TemplateCache
from civicgrid_platform.auth import Principal
from civicgrid_testkit.engine_events import engine_events
from services.notifications.tests.notifications_support import District

pytestmark = pytest.mark.integration

VALUES = {"recipient_name": "王芳", "district": "东城区", "ticket_number": "2026-000123"}
OWN_ZH = "【{{ district }}】{{ recipient_name }}：反映{{ ticket_number }}已收到{{ address }}"


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def admin_of(district: District) -> Principal:
    return Principal(
        subject=str(uuid.uuid4()),
        tenant_id=district.tenant,
        roles=frozenset({"tenant_admin"}),
        bindings=(),
        scopes=frozenset(),
        kind="person",
        token_id="test",
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )


async def rendered(
    ctx: NotificationsContext,
    district: District,
    locale: str,
    channel: Channel = Channel.SMS,
    cache: TemplateCache | None = None,
    values: dict[str, str] = VALUES,
) -> Rendered:
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        return await templates.render_message(
            uow, district.tenant_id, "ticket.created", channel, locale, values, cache=cache
        )


async def save_elsewhere(
    ctx: NotificationsContext, district: District, locale: str, body: str
) -> None:
    """As another process saves: straight to the database, this process's cache untold."""
    key = check_key("ticket.created", "sms", locale)
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        await TemplatesRepository(uow.session, district.tenant_id).save(
            key, "", body, "elsewhere", datetime.now(UTC)
        )
        await uow.commit()


async def delete_elsewhere(ctx: NotificationsContext, district: District, locale: str) -> None:
    key = check_key("ticket.created", "sms", locale)
    async with ctx.uow(tenant_id=district.tenant_id) as uow:
        await TemplatesRepository(uow.session, district.tenant_id).delete(key)
        await uow.commit()


async def test_notifications_templates_the_districts_own_template_speaks_else_the_built_in(
    timed: NotificationsContext, district: District
) -> None:
    built_in = await rendered(timed, district, "zh-CN")
    await templates.save_template(
        timed, admin_of(district), "ticket.created", "sms", "zh-CN", "", OWN_ZH
    )

    own = await rendered(timed, district, "zh-CN")
    email = await rendered(timed, district, "zh-CN", Channel.EMAIL)

    assert built_in.body.startswith("【东城区】您反映的")
    assert own == Rendered("", "【东城区】王芳：反映2026-000123已收到")  # no address: ""
    assert email.subject == "您反映的问题已受理" and email.body.startswith("王芳您好：")


async def test_notifications_templates_languages_fall_back_by_language_then_to_english(
    timed: NotificationsContext, district: District
) -> None:
    admin = admin_of(district)
    await templates.save_template(timed, admin, "ticket.created", "sms", "zh-CN", "", OWN_ZH)

    taiwan = await rendered(timed, district, "zh-TW")
    french = await rendered(timed, district, "fr")
    await templates.save_template(
        timed, admin, "ticket.created", "sms", "en", "", "Got {{ ticket_number }}"
    )
    french_after = await rendered(timed, district, "fr-FR")

    assert taiwan.body.startswith("【东城区】王芳：反映")
    assert french.body.startswith("Your report about")  # the built-in in English
    assert french_after.body == "Got 2026-000123"


async def test_notifications_templates_this_process_uses_a_new_version_at_once(
    timed: NotificationsContext, district: District
) -> None:
    admin = admin_of(district)
    await templates.save_template(timed, admin, "ticket.created", "sms", "en", "", "v1")
    assert (await rendered(timed, district, "en")).body == "v1"

    await templates.save_template(timed, admin, "ticket.created", "sms", "en", "", "v2")
    assert (await rendered(timed, district, "en")).body == "v2"

    await templates.delete_template(timed, admin, "ticket.created", "sms", "en")
    assert (await rendered(timed, district, "en")).body.startswith("Your report about")


async def test_notifications_templates_another_processs_change_is_used_within_the_bound(
    timed: NotificationsContext, district: District
) -> None:
    clock = ManualClock()
    cache = TemplateCache(ttl_seconds=5.0, clock=clock)
    await save_elsewhere(timed, district, "en", "v1")
    assert (await rendered(timed, district, "en", cache=cache)).body == "v1"

    await save_elsewhere(timed, district, "en", "v2")
    clock.now += 4.9
    stale = await rendered(timed, district, "en", cache=cache)
    clock.now += 0.1
    fresh = await rendered(timed, district, "en", cache=cache)
    await delete_elsewhere(timed, district, "en")
    clock.now += 5.0
    deleted = await rendered(timed, district, "en", cache=cache)

    assert (stale.body, fresh.body) == ("v1", "v2")
    assert deleted.body.startswith("Your report about")


async def test_notifications_templates_rendering_costs_no_query_per_message(
    timed: NotificationsContext, district: District, notifications_engine: AsyncEngine
) -> None:
    await save_elsewhere(timed, district, "zh-CN", OWN_ZH)
    clock = ManualClock()
    cache = TemplateCache(ttl_seconds=5.0, clock=clock)

    async with timed.uow(tenant_id=district.tenant_id) as uow:
        with engine_events(notifications_engine, "before_cursor_execute") as statements:
            for n in range(200):
                values = {**VALUES, "ticket_number": f"2026-{n:06d}"}
                for channel in Channel:
                    await templates.render_message(
                        uow,
                        district.tenant_id,
                        "ticket.created",
                        channel,
                        "zh-CN",
                        values,
                        cache=cache,
                    )
        clock.now += 5.0
        with engine_events(notifications_engine, "before_cursor_execute") as after_the_bound:
            await templates.render_message(
                uow,
                district.tenant_id,
                "ticket.created",
                Channel.SMS,
                "zh-CN",
                VALUES,
                cache=cache,
            )

    # The district's list of saved templates, and its one saved template's wording.
    assert len(statements) == 2, statements
    assert len(after_the_bound) == 1, after_the_bound  # the list again, the wording is cached


async def test_notifications_templates_a_stored_template_that_fails_gives_way_to_the_built_in(
    timed: NotificationsContext, district: District
) -> None:
    """Saving checks every template; one stored around the check (an older engine, a manual
    fix in the database) must still not lose the message."""
    await save_elsewhere(timed, district, "en", "{{ ticket_number | truncate(1) }}")
    failing = await rendered(timed, district, "en", cache=TemplateCache())
    await save_elsewhere(timed, district, "en", "{{ ticket_number ")
    broken = await rendered(timed, district, "en", cache=TemplateCache())

    assert failing.body.startswith("Your report about")
    assert broken.body.startswith("Your report about")
