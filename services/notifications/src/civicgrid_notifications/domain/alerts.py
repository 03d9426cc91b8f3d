"""The emergency-alert chain's rules: its policy, which step asks whom, and which moves an
alert may make. Pure: the use cases apply them under the alert's row lock.

    raised --acknowledge--> acknowledged --on site--> on_site --resolve--> resolved
      ^  |                      |
      |  +-- no answer: the next step asks more people (0 -> 1 -> 2; after 2 it asks again)
      +---- nobody on site in time: escalation starts over
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from civicgrid_platform.errors import Conflict, InvalidInput

RAISED = "raised"
ACKNOWLEDGED = "acknowledged"
ON_SITE = "on_site"
RESOLVED = "resolved"
LAST_STEP = 2

SOURCES = ("device", "worker", "drill")
OUTCOMES = (
    "false_alarm",
    "helped_at_home",
    "hospital",
    "family_took_over",
    "no_answer_visit",
    "drill_passed",
    "other",
)

# Who each step asks, by duty; step 0 also the first family contact, step 1 the second.
STEP_DUTIES: dict[int, tuple[str, ...]] = {
    0: ("worker", "grid_staff"),
    1: ("backup", "volunteer"),
    2: ("supervisor", "desk"),
}
STEP_FAMILY: dict[int, int] = {0: 1, 1: 2}  # step -> family contact position


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """Seconds without an acknowledgement before step 1 and step 2 (both counted from the
    alert's raise or restart), and how long an acknowledged responder has to be on site."""

    step1_after_seconds: int = 60
    step2_after_seconds: int = 300
    on_site_within_seconds: int = 900
    volunteers_asked: int = 3

    def __post_init__(self) -> None:
        if not 10 <= self.step1_after_seconds <= 3600:
            raise InvalidInput("between 10 and 3600 seconds", field="step1_after_seconds")
        if not self.step1_after_seconds < self.step2_after_seconds <= 7200:
            raise InvalidInput("after step 1 and at most 7200 seconds", field="step2_after_seconds")
        if not 60 <= self.on_site_within_seconds <= 14400:
            raise InvalidInput("between 60 and 14400 seconds", field="on_site_within_seconds")
        if not 0 <= self.volunteers_asked <= 20:
            raise InvalidInput("between 0 and 20", field="volunteers_asked")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AlertPolicy:
        return cls(**{k: int(raw[k]) for k in cls.__dataclass_fields__ if k in raw})

    def next_due(self, step: int, step_started: datetime) -> datetime:
        """When the chain moves on if nobody acknowledges. Steps 1 and 2 start step1_after and
        step2_after seconds after step 0 (each step's start is stamped with its due time, so
        the sums hold); after the last step everyone is asked again every step1_after."""
        if step == 1:
            return step_started + timedelta(
                seconds=self.step2_after_seconds - self.step1_after_seconds
            )
        return step_started + timedelta(seconds=self.step1_after_seconds)


def check_can_acknowledge(status: str, acknowledged_by: str | None, responder: str) -> bool:
    """True when this acknowledgement changes the alert; False when it repeats one already
    made by the same responder; Conflict when someone else holds it or it is closed."""
    if status == RAISED:
        return True
    if status in (ACKNOWLEDGED, ON_SITE) and acknowledged_by == responder:
        return False
    if status == RESOLVED:
        raise Conflict("the alert is resolved")
    raise Conflict(f"already acknowledged by {acknowledged_by}")


def check_can_be_on_site(status: str, acknowledged_by: str | None, responder: str) -> bool:
    if status == ON_SITE and acknowledged_by == responder:
        return False
    if status == ACKNOWLEDGED and acknowledged_by == responder:
        return True
    if status == RAISED:
        raise Conflict("acknowledge the alert first")
    if status == RESOLVED:
        raise Conflict("the alert is resolved")
    raise Conflict(f"{acknowledged_by} is responsible for this alert")


def check_can_resolve(status: str, outcome: str) -> bool:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"one of {', '.join(OUTCOMES)}", field="outcome")
    return status != RESOLVED
