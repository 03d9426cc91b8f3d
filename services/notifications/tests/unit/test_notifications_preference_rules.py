"""Quiet hours in the person's zone, urgent categories that cannot wait or be switched off,
and the delivery backoff."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from civicgrid_notifications.domain import delivery as states
from civicgrid_notifications.domain.channels import Category, Channel
from civicgrid_notifications.domain.preferences import Preferences, QuietHours

SHANGHAI = "Asia/Shanghai"
NIGHT = QuietHours(time(22, 0), time(7, 0))


def _prefs(**fields: object) -> Preferences:
    return Preferences(timezone=SHANGHAI, locale="zh-CN", **fields)  # type: ignore[arg-type]


def test_notifications_quiet_hours_across_midnight_hold_until_morning_local_time() -> None:
    prefs = _prefs(quiet=NIGHT)
    # 23:30 in Shanghai is 15:30 UTC.
    late = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert prefs.hold_until(Category.MY_REPORTS, late) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    # 06:59 local: still quiet, until 07:00 the same morning.
    early = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)
    assert prefs.hold_until(Category.MY_REPORTS, early) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    # 07:00 local: free to go.
    assert prefs.hold_until(Category.MY_REPORTS, datetime(2026, 11, 30, 23, 0, tzinfo=UTC)) is None


def test_notifications_quiet_hours_within_a_day_and_empty_ranges() -> None:
    lunch = QuietHours(time(12, 0), time(13, 30))
    assert lunch.contains(time(12, 0)) and lunch.contains(time(13, 29))
    assert not lunch.contains(time(13, 30)) and not lunch.contains(time(11, 59))
    assert not QuietHours(time(8, 0), time(8, 0)).contains(time(8, 0))


@pytest.mark.parametrize("category", [Category.ALERTS, Category.SLA_BREACH])
def test_notifications_urgent_categories_ignore_quiet_hours(category: Category) -> None:
    prefs = _prefs(quiet=NIGHT)
    assert prefs.hold_until(category, datetime(2026, 11, 30, 15, 30, tzinfo=UTC)) is None


def test_notifications_urgent_channels_cannot_be_switched_off() -> None:
    prefs = _prefs(channels={Category.ALERTS: (Channel.EMAIL,), Category.WORK: (Channel.EMAIL,)})
    assert prefs.channels_for(Category.ALERTS) == (
        Channel.INAPP,
        Channel.SMS,
        Channel.VOICE,
        Channel.EMAIL,
    )
    assert prefs.channels_for(Category.WORK) == (Channel.EMAIL,)
    assert prefs.channels_for(Category.LENDING) == (Channel.INAPP, Channel.SMS)


def test_notifications_digest_only_for_categories_that_may_wait() -> None:
    prefs = _prefs(digest=frozenset({Category.SLA, Category.SLA_BREACH}))
    assert prefs.wants_digest(Category.SLA)
    assert not prefs.wants_digest(Category.SLA_BREACH)


NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def test_notifications_delivery_retries_with_exponential_backoff_and_jitter() -> None:
    waits = []
    for attempt in range(1, 5):
        step = states.after_attempt("error", attempt, 6, NOW, base=5, cap=1800, jitter=lambda: 1.0)
        assert step.status == states.QUEUED and step.retry_at is not None
        waits.append(step.retry_at - NOW)
    assert waits == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    low = states.after_attempt("error", 3, 6, NOW, base=5, cap=1800, jitter=lambda: 0.0)
    assert low.retry_at == NOW + timedelta(seconds=10)  # half the step at the least


def test_notifications_delivery_gives_up_after_its_last_attempt_or_a_permanent_refusal() -> None:
    assert states.after_attempt("error", 6, 6, NOW, base=5, cap=60).status == states.FAILED
    assert states.after_attempt("failed", 1, 6, NOW, base=5, cap=60).status == states.FAILED
    assert states.after_attempt("sent", 1, 6, NOW, base=5, cap=60) == states.NextStep("sent")
