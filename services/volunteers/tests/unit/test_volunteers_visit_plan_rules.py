"""Where tasks come from, as rules: when a weekly visit plan's next visit is and when its task
is made (local wall-clock time, daylight saving included); which ticket task rules are valid
and the task a rule makes of a ticket."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicgrid_platform.errors import InvalidInput
from civicgrid_volunteers.domain import ticket_tasks
from civicgrid_volunteers.domain import visit_plans as plans
from civicgrid_volunteers.domain.matching import SkillNeed

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-30, 09:00 in Shanghai.
MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
THURSDAY, MONDAY, SUNDAY = 3, 0, 6


def _plan(weekday: int, start: str, minutes: int = 60) -> plans.VisitPlan:
    return plans.VisitPlan(
        id=uuid.UUID("00000000-0000-0000-0000-00000000000a"),
        client_person_id=uuid.uuid4(),
        title="Weekly visit",
        description="",
        lat=36.65,
        lon=117.0,
        grid_id=None,
        community_id=None,
        weekday=weekday,
        start=time.fromisoformat(start),
        minutes=minutes,
        skills=(SkillNeed("care", 2),),
        needs_safeguarding=True,
        volunteers_needed=1,
        active=True,
        created_at=MONDAY_9,
        updated_at=MONDAY_9,
        stopped_at=None,
    )


def _local(moment: datetime, zone: ZoneInfo = SHANGHAI) -> tuple[str, str]:
    local = moment.astimezone(zone)
    return local.strftime("%a %Y-%m-%d"), local.strftime("%H:%M")


def test_a_visit_later_in_the_week_gets_its_task_three_days_ahead() -> None:
    plan = _plan(THURSDAY, "10:00")
    visit = plans.upcoming_visit(plan, SHANGHAI, MONDAY_9)
    assert _local(visit) == ("Thu 2026-12-03", "10:00")
    assert _local(plans.first_run(plan, SHANGHAI, MONDAY_9)) == ("Mon 2026-11-30", "10:00")
    # Then every week, three days before that week's visit.
    assert _local(plans.following_run(plan, SHANGHAI, visit)) == ("Mon 2026-12-07", "10:00")


def test_a_visit_sooner_than_three_days_gets_its_task_at_once() -> None:
    plan = _plan(MONDAY, "15:00")
    assert _local(plans.upcoming_visit(plan, SHANGHAI, MONDAY_9)) == ("Mon 2026-11-30", "15:00")
    assert plans.first_run(plan, SHANGHAI, MONDAY_9) == MONDAY_9


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("08:00", "Mon 2026-12-07"),  # already past today: next week
        ("10:00", "Mon 2026-12-07"),  # in an hour: too soon to find anyone, next week
        ("11:30", "Mon 2026-11-30"),  # more than two hours ahead: still today
    ],
)
def test_a_visit_too_close_or_past_today_waits_for_next_week(start: str, expected: str) -> None:
    visit = plans.upcoming_visit(_plan(MONDAY, start), SHANGHAI, MONDAY_9)
    assert _local(visit) == (expected, start)


def test_weekly_visits_keep_their_local_time_across_a_daylight_saving_change() -> None:
    plan = _plan(SUNDAY, "10:00")
    before = datetime(2026, 10, 18, 8, 0, tzinfo=UTC)  # Sunday 10:00 in Berlin (summer time)
    visit = plans.next_visit(plan, BERLIN, before)
    assert _local(visit, BERLIN) == ("Sun 2026-10-25", "10:00")
    assert visit - before == timedelta(days=7, hours=1)  # the clocks went back that night
    fields = plans.visit_task_fields(plan, visit, BERLIN)
    assert fields["starts_at"] == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert fields["ends_at"] - fields["starts_at"] == timedelta(minutes=60)


def test_a_visit_s_task_is_for_the_client_and_named_by_the_plan_and_local_date() -> None:
    plan = _plan(THURSDAY, "00:30")
    visit = plans.upcoming_visit(plan, SHANGHAI, MONDAY_9)
    assert visit.astimezone(UTC).date().isoformat() == "2026-12-02"  # Wednesday in UTC
    fields = plans.visit_task_fields(plan, visit, SHANGHAI)
    assert fields["source_ref"] == f"{plan.id}/2026-12-03"
    assert fields["source"] == "visit_plan" and fields["kind"] == "elderly_visit"
    assert fields["client_person_id"] == plan.client_person_id
    assert fields["needs_safeguarding"] is True
    assert fields["skills"] == [{"code": "care", "min_level": 2}]


def _plan_fields(**changes: Any) -> dict[str, Any]:
    fields = {"lat": 36.65, "lon": 117.0, "weekday": 3, "minutes": 60, "volunteers_needed": 1}
    return fields | {"skills": []} | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": -90.0}, "lat"),
        ({"lat": 90.0}, "lat"),
        ({"lon": 180.5}, "lon"),
        ({"weekday": 7}, "weekday"),
        ({"weekday": -1}, "weekday"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 24 * 60 + 1}, "minutes"),
        ({"volunteers_needed": 0}, "volunteers_needed"),
        ({"skills": [{"code": "care"}, {"code": "care"}]}, "skills"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        plans.check_plan(_plan_fields(**changes))
    assert refused.value.field == field


@pytest.mark.parametrize("value", ["24:00", "9:5", "10:00:30", "10:00+08:00", "soon"])
def test_a_start_that_is_not_a_local_hh_mm_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        plans.parse_start(value)
    assert refused.value.field == "start"


# Ticket task rules


@pytest.mark.parametrize(
    "template", ["Help with {number}", "{category}: report {number}", "Set {{braces}}", "Plain"]
)
def test_a_title_template_may_fill_in_the_number_and_category(template: str) -> None:
    ticket_tasks.check_title(template)


@pytest.mark.parametrize(
    "template", ["{nope}", "{}", "{0}", "{number!r}", "{number:>9}", "{number", "oops}"]
)
def test_any_other_placeholder_is_refused_naming_the_title(template: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ticket_tasks.check_title(template)
    assert refused.value.field == "title"


def _rule_fields(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "escort",
        "title": "Escort for {number}",
        "skills": [],
        "volunteers_needed": 1,
        "minutes": 90,
        "urgency": "normal",
        "needs_safeguarding": False,
        "delay_minutes": 0,
    } | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "babysitting"}, "kind"),
        ({"minutes": 0}, "hours"),
        ({"minutes": 24 * 60 + 1}, "hours"),
        ({"delay_minutes": 15 * 24 * 60}, "starts_after_hours"),
        ({"urgency": "whenever"}, "urgency"),
        ({"skills": [{"code": "care"}, {"code": "care"}]}, "skills"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ticket_tasks.check_rule(_rule_fields(**changes))
    assert refused.value.field == field


def _rule(**changes: Any) -> ticket_tasks.TicketTaskRule:
    fields = {
        "category": "pothole",
        "kind": "quality_supervision",
        "title": "Check the repair of {number} ({category})",
        "skills": (SkillNeed("inspection", 2),),
        "volunteers_needed": 2,
        "minutes": 90,
        "urgency": "high",
        "needs_safeguarding": False,
        "delay_minutes": 48 * 60,
        "updated_at": MONDAY_9,
    }
    return ticket_tasks.TicketTaskRule(**(fields | changes))


def _ticket(**changes: Any) -> ticket_tasks.ReportedTicket:
    fields = {
        "id": str(uuid.uuid4()),
        "number": "2026-000123",
        "category": "pothole",
        "description": "Deep hole by the school gate",
        "address": "12 Quancheng Road",
        "lat": 36.65,
        "lon": 117.0,
        "grid_id": uuid.uuid4(),
        "reported_at": MONDAY_9,
    }
    return ticket_tasks.ReportedTicket(**(fields | changes))


def test_a_rule_makes_the_ticket_s_task_at_its_place_after_the_delay() -> None:
    ticket = _ticket()
    fields = ticket_tasks.task_fields(_rule(), ticket)
    assert fields["title"] == "Check the repair of 2026-000123 (pothole)"
    assert fields["starts_at"] == MONDAY_9 + timedelta(hours=48)
    assert fields["ends_at"] == MONDAY_9 + timedelta(hours=49, minutes=30)
    assert (fields["lat"], fields["lon"], fields["grid_id"]) == (36.65, 117.0, ticket.grid_id)
    assert (fields["source"], fields["source_ref"]) == ("ticket", ticket.id)
    assert fields["skills"] == [{"code": "inspection", "min_level": 2}]
    assert (fields["volunteers_needed"], fields["urgency"]) == (2, "high")
    assert fields["description"] == "12 Quancheng Road\n\nDeep hole by the school gate"


def test_a_long_filled_in_title_is_cut_to_the_column() -> None:
    fields = ticket_tasks.task_fields(_rule(title="{category} " * 3), _ticket(category="x" * 90))
    assert len(fields["title"]) == ticket_tasks.TITLE_LENGTH


@pytest.mark.parametrize(("lat", "lon"), [(None, None), (-90.0, 117.0), (36.65, 181.0)])
def test_a_ticket_without_a_usable_location_makes_no_task(
    lat: float | None, lon: float | None
) -> None:
    ticket = _ticket(lat=lat, lon=lon)
    assert not ticket_tasks.located(ticket)
    with pytest.raises(ValueError, match="location"):
        ticket_tasks.task_fields(_rule(), ticket)
