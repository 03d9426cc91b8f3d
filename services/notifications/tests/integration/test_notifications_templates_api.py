"""A district's templates over HTTP: tenant admins save (a new version each time) and delete
them, staff read and preview them, a template that could fail when sending is refused when
saved, and another district sees only its own (row-level security alone hides them too)."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from civicgrid_notifications.db.templates_repo import TemplatesRepository
from civicgrid_notifications.domain.catalog import EVENTS
from civicgrid_notifications.domain.channels import LOCALES, Channel
from civicgrid_notifications.domain.templates import check_key
from civicgrid_notifications.usecases.context import NotificationsContext
from services.notifications.tests.notifications_support import District

pytestmark = pytest.mark.integration

SMS_ZH = "/v1/templates/ticket.created/sms/zh-CN"
EMAIL_EN = "/v1/templates/ticket.created/email/en"
OWN_SMS = {"body": "【{{ district }}】{{ recipient_name }}，您的反映{{ ticket_number }}已收到。"}


def problem_fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [e["field"] for e in answer.json().get("errors", [])]


async def save(
    api: httpx.AsyncClient, district: District, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    answer = await api.put(path, json=body, headers=district.admin())
    assert answer.status_code == 200, answer.text
    saved: dict[str, Any] = answer.json()
    return saved


async def test_notifications_templates_saving_again_makes_a_new_version(
    api: httpx.AsyncClient, district: District
) -> None:
    before = await api.get(SMS_ZH, headers=district.staff())
    assert before.json()["built_in"] is True and before.json()["version"] is None

    first = await save(api, district, SMS_ZH, OWN_SMS)
    second = await save(api, district, SMS_ZH, {"body": "收到：{{ ticket_number }}"})

    assert (first["version"], second["version"]) == (1, 2)
    assert first["built_in"] is False
    now = (await api.get(SMS_ZH, headers=district.staff())).json()
    assert (now["body"], now["version"], now["locale"]) == ("收到：{{ ticket_number }}", 2, "zh-CN")
    assert "ticket_number" in now["variables"] and "recipient_name" in now["variables"]


async def test_notifications_templates_a_template_that_could_fail_is_refused_and_not_saved(
    api: httpx.AsyncClient, district: District
) -> None:
    unknown = await api.put(SMS_ZH, json={"body": "编号{{ ticket_no }}"}, headers=district.admin())
    syntax = await api.put(
        EMAIL_EN,
        json={"subject": "Report {{ ticket_number", "body": "Hello"},
        headers=district.admin(),
    )
    escape = await api.put(
        SMS_ZH, json={"body": "{{ ''.__class__.__mro__ }}"}, headers=district.admin()
    )
    subject_on_sms = await api.put(
        SMS_ZH, json={"subject": "Hi", "body": "Hello"}, headers=district.admin()
    )
    too_long = await api.put(SMS_ZH, json={"body": "x" * 501}, headers=district.admin())
    nul = await api.put(SMS_ZH, json={"body": "x\x00"}, headers=district.admin())

    assert unknown.status_code == 422 and problem_fields(unknown) == ["body"]
    assert "ticket_no" in unknown.json()["detail"]
    assert syntax.status_code == 422 and problem_fields(syntax) == ["subject"]
    assert escape.status_code == 422 and problem_fields(escape) == ["body"]
    assert subject_on_sms.status_code == 422 and problem_fields(subject_on_sms) == ["subject"]
    assert too_long.status_code == 422 and problem_fields(too_long) == ["body"]
    assert nul.status_code == 422 and problem_fields(nul) == ["body.body"]
    for path in (SMS_ZH, EMAIL_EN):
        assert (await api.get(path, headers=district.staff())).json()["built_in"] is True


async def test_notifications_templates_unknown_keys_are_422_naming_the_part(
    api: httpx.AsyncClient, district: District
) -> None:
    admin = district.admin()
    event = await api.put("/v1/templates/ticket.exploded/sms/en", json=OWN_SMS, headers=admin)
    channel = await api.put("/v1/templates/ticket.created/fax/en", json=OWN_SMS, headers=admin)
    locale = await api.get("/v1/templates/ticket.created/sms/fr", headers=admin)
    listed = await api.get("/v1/templates?event_type=ticket.exploded", headers=admin)

    assert problem_fields(event) == ["event_type"]
    assert problem_fields(channel) == ["path.channel"]
    assert problem_fields(locale) == ["locale"]
    assert problem_fields(listed) == ["event_type"]


async def test_notifications_templates_only_admins_change_and_only_staff_read(
    api: httpx.AsyncClient, district: District
) -> None:
    by_staff = await api.put(SMS_ZH, json=OWN_SMS, headers=district.staff())
    by_resident = await api.get(SMS_ZH, headers=district.person())
    listing_by_resident = await api.get("/v1/templates", headers=district.person())
    anonymous = await api.get(SMS_ZH)

    assert by_staff.status_code == 403
    assert by_resident.status_code == 403
    assert listing_by_resident.status_code == 403
    assert anonymous.status_code == 401


async def test_notifications_templates_the_list_shows_built_ins_where_the_district_has_none(
    api: httpx.AsyncClient, district: District
) -> None:
    await save(api, district, SMS_ZH, OWN_SMS)

    everything = await api.get("/v1/templates", headers=district.staff())
    sms = await api.get(
        "/v1/templates",
        params={"event_type": "ticket.created", "channel": "sms"},
        headers=district.staff(),
    )
    chinese_sms = await api.get(
        "/v1/templates", params={"channel": "sms", "locale": "zh-cn"}, headers=district.staff()
    )

    assert len(everything.json()) == len(EVENTS) * len(Channel) * len(LOCALES)
    assert [(t["locale"], t["built_in"]) for t in sms.json()] == [("zh-CN", False), ("en", True)]
    assert len(chinese_sms.json()) == len(EVENTS)
    own = [t for t in chinese_sms.json() if not t["built_in"]]
    assert [(t["event_type"], t["body"]) for t in own] == [("ticket.created", OWN_SMS["body"])]


async def test_notifications_templates_deleting_brings_the_built_in_back(
    api: httpx.AsyncClient, district: District
) -> None:
    built_in = (await api.get(SMS_ZH, headers=district.staff())).json()
    await save(api, district, SMS_ZH, OWN_SMS)

    deleted = await api.delete(SMS_ZH, headers=district.admin())
    again = await api.delete(SMS_ZH, headers=district.admin())
    by_staff = await api.delete(SMS_ZH, headers=district.staff())

    assert deleted.status_code == 200 and deleted.json() == built_in
    assert (await api.get(SMS_ZH, headers=district.staff())).json() == built_in
    assert again.status_code == 404
    assert by_staff.status_code == 403


async def test_notifications_templates_preview_renders_drafts_and_the_template_in_force(
    api: httpx.AsyncClient, district: District
) -> None:
    await save(api, district, SMS_ZH, OWN_SMS)
    key = {"event_type": "ticket.created", "channel": "sms", "locale": "zh-CN"}

    in_force = await api.post("/v1/templates/preview", json=key, headers=district.staff())
    draft = await api.post(
        "/v1/templates/preview",
        json={
            **key,
            "channel": "email",
            "subject": "{{ ticket_number }}",
            "body": "{{ recipient_name | default('居民') }}：{{ address }}",
            "variables": {"recipient_name": "", "address": "幸福路12号"},
        },
        headers=district.staff(),
    )
    refused = await api.post(
        "/v1/templates/preview",
        json={**key, "variables": {"person_name": "x"}},
        headers=district.staff(),
    )
    broken = await api.post(
        "/v1/templates/preview", json={**key, "body": "{{ nope }}"}, headers=district.staff()
    )

    assert in_force.json()["body"] == "【东城区】王芳，您的反映2026-000123已收到。"
    assert (draft.json()["subject"], draft.json()["body"]) == ("2026-000123", "居民：幸福路12号")
    assert problem_fields(refused) == ["variables"]
    assert problem_fields(broken) == ["body"]
    assert (await api.get(EMAIL_EN, headers=district.staff())).json()["built_in"] is True


async def test_notifications_templates_another_district_sees_only_its_own(
    api: httpx.AsyncClient, district: District
) -> None:
    await save(api, district, SMS_ZH, OWN_SMS)
    neighbour = District()

    theirs = await api.get(SMS_ZH, headers=neighbour.admin())
    listed = await api.get("/v1/templates?channel=sms&locale=zh-CN", headers=neighbour.admin())
    deleting = await api.delete(SMS_ZH, headers=neighbour.admin())

    assert theirs.json()["built_in"] is True and theirs.json()["body"] != OWN_SMS["body"]
    assert all(t["built_in"] for t in listed.json())
    assert deleting.status_code == 404
    assert (await api.get(SMS_ZH, headers=district.staff())).json()["body"] == OWN_SMS["body"]


async def test_notifications_templates_row_level_security_alone_hides_another_districts(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> None:
    await save(api, district, SMS_ZH, OWN_SMS)
    first, other = district.tenant_id, District().tenant_id
    key = check_key("ticket.created", "sms", "zh-CN")

    async with timed.uow(tenant_id=other) as uow:
        seen = await uow.session.execute(
            text("SELECT count(*) FROM templates WHERE tenant_id = :t"), {"t": first}
        )
        repo = TemplatesRepository(uow.session, first)  # asks for the first district's rows
        assert seen.scalar_one() == 0
        assert await repo.listed() == []
        assert await repo.get(key) is None
        assert await repo.versions() == {}
        assert await repo.delete(key) is False

    async with timed.uow(tenant_id=first) as uow:
        assert (await TemplatesRepository(uow.session, first).get(key)) is not None
