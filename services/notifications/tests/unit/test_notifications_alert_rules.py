"""The alert chain's rules: policy bounds and timing, and who may answer an alert when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid_notifications.domain import alerts
from civicgrid_notifications.domain.alerts import AlertPolicy
from civicgrid_platform.errors import Conflict, InvalidInput

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def test_notifications_alert_policy_defaults_follow_the_issue() -> None:
    policy = AlertPolicy()
    assert (policy.step1_after_seconds, policy.step2_after_seconds) == (60, 300)
    assert policy.on_site_within_seconds == 900


def test_notifications_alert_steps_are_counted_from_the_start_of_the_chain() -> None:
    policy = AlertPolicy(step1_after_seconds=60, step2_after_seconds=300)
    step1 = policy.next_due(0, T0)
    assert step1 == T0 + timedelta(seconds=60)
    # Step 1 is stamped with its due time, so step 2 lands at 300 s after the raise.
    assert policy.next_due(1, step1) == T0 + timedelta(seconds=300)
    # After the last step everyone is asked again every step-1 interval.
    assert policy.next_due(2, T0 + timedelta(seconds=300)) == T0 + timedelta(seconds=360)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"step1_after_seconds": 5}, "step1_after_seconds"),
        ({"step1_after_seconds": 120, "step2_after_seconds": 100}, "step2_after_seconds"),
        ({"on_site_within_seconds": 10}, "on_site_within_seconds"),
        ({"volunteers_asked": 50}, "volunteers_asked"),
    ],
)
def test_notifications_alert_policy_refuses_nonsense_naming_the_field(
    fields: dict[str, int], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        AlertPolicy(**fields)
    assert refused.value.field == field


def test_notifications_alert_acknowledgement_rules() -> None:
    assert alerts.check_can_acknowledge("raised", None, "person:a")
    assert not alerts.check_can_acknowledge("acknowledged", "person:a", "person:a")
    with pytest.raises(Conflict, match="already acknowledged by person:a"):
        alerts.check_can_acknowledge("acknowledged", "person:a", "person:b")
    with pytest.raises(Conflict, match="resolved"):
        alerts.check_can_acknowledge("resolved", "person:a", "person:a")


def test_notifications_alert_on_site_and_resolve_rules() -> None:
    assert alerts.check_can_be_on_site("acknowledged", "person:a", "person:a")
    assert not alerts.check_can_be_on_site("on_site", "person:a", "person:a")
    with pytest.raises(Conflict, match="acknowledge the alert first"):
        alerts.check_can_be_on_site("raised", None, "person:a")
    with pytest.raises(Conflict, match="responsible"):
        alerts.check_can_be_on_site("acknowledged", "person:a", "person:b")
    assert alerts.check_can_resolve("on_site", "helped_at_home")
    assert not alerts.check_can_resolve("resolved", "helped_at_home")
    with pytest.raises(InvalidInput):
        alerts.check_can_resolve("raised", "vanished")
