"""Work due at a moment, kept as database rows: any number of replicas share it through
`FOR UPDATE SKIP LOCKED`, and a crashed process loses nothing (see `store` and `loop`)."""

from civicgrid_platform.timers.loop import BATCH, TimerHandler, run_due, run_timers
from civicgrid_platform.timers.store import (
    DueTimer,
    cancel,
    cancel_many,
    claim_due,
    due_at,
    lease_due,
    schedule,
    schedule_if_absent,
    schedule_many,
    timers_table,
)

__all__ = [
    "BATCH",
    "DueTimer",
    "TimerHandler",
    "cancel",
    "cancel_many",
    "claim_due",
    "due_at",
    "lease_due",
    "run_due",
    "run_timers",
    "schedule",
    "schedule_if_absent",
    "schedule_many",
    "timers_table",
]
