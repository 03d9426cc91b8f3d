"""When a webhook is tried again, when it is given up, which events reach which endpoint, and
when an endpoint is switched off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid_notifications.domain.webhooks import (
    RETRY_DELAYS,
    Verdict,
    WebhookPolicy,
    checked_filters,
    failing_too_long,
    matches,
    next_attempt_at,
    verdict,
)
from civicgrid_platform.errors import InvalidInput

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
POLICY = WebhookPolicy()


def test_notifications_webhook_retries_follow_the_standard_schedule_over_hours() -> None:
    middle = [next_attempt_at(n, NOW, POLICY, lambda: 0.5) for n in range(1, 9)]

    assert [at - NOW for at in middle[:7] if at] == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
    ]
    assert middle[7] is None  # the eighth attempt was the last
    assert POLICY.max_attempts == 8
    assert sum(RETRY_DELAYS, timedelta()) > timedelta(hours=27)


@pytest.mark.parametrize("draw", [0.0, 0.999999])
def test_notifications_webhook_retry_jitter_stays_within_a_fifth(draw: float) -> None:
    retry_at = next_attempt_at(4, NOW, POLICY, lambda: draw)

    assert retry_at is not None
    assert timedelta(hours=1.6) <= retry_at - NOW <= timedelta(hours=2.4)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (299, Verdict.DELIVERED),
        (410, Verdict.GONE),
        (301, Verdict.RETRY),  # redirects are not followed
        (404, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (None, Verdict.RETRY),  # no answer: timeout, refused connection
    ],
)
def test_notifications_webhook_2xx_delivers_410_is_gone_the_rest_retries(
    code: int | None, expected: Verdict
) -> None:
    assert verdict(code) is expected


def test_notifications_webhook_an_endpoint_failing_for_five_days_is_switched_off() -> None:
    assert not failing_too_long(None, NOW, POLICY)
    assert not failing_too_long(NOW - timedelta(days=4, hours=23), NOW, POLICY)
    assert failing_too_long(NOW - timedelta(days=5), NOW, POLICY)


def test_notifications_webhook_filters_match_exact_types_and_prefixes() -> None:
    created = "civicgrid.tickets.v1.ticket.created"

    assert matches([], created)
    assert matches([created], created)
    assert matches(["civicgrid.tickets.v1.*"], created)
    assert matches(["civicgrid.*"], created)
    assert not matches(["civicgrid.tickets.v1.ticket.create"], created)
    assert not matches(["civicgrid.volunteers.v1.*"], created)
    assert not matches(["civicgrid.tickets.v1.ticket.created.*"], created)


@pytest.mark.parametrize(
    "filters",
    [["*"], ["Civicgrid.tickets"], ["civicgrid..x"], ["civicgrid.*.created"], ["a" * 129]],
)
def test_notifications_webhook_malformed_filters_are_refused_naming_event_types(
    filters: list[str],
) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_filters(filters)
    assert refused.value.field == "event_types"


def test_notifications_webhook_filters_are_deduplicated_and_bounded() -> None:
    assert checked_filters(["a.b", "a.*", "a.b"]) == ("a.b", "a.*")
    with pytest.raises(InvalidInput):
        checked_filters([f"a.t{n}" for n in range(51)])
