"""How long finished work is kept. Pure rules: no I/O.

- A delivery that is over (delivered, failed, suppressed) goes with its attempts once it is
  older than `deliveries`; an in-app one only after its inbox message went (see below).
- An in-app message goes once it is read and older than `read_inbox`; unread ones are kept.
- A webhook message that is over (delivered, failed) goes with its attempts once it is older
  than `webhook_messages`.
- Nothing of an alert that is still open goes, however old.

Every age is longer than Kafka's retention (7 days) and the consumers' inbox (8 days), so an
event delivered again still finds the messages it made and makes no second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# The timer (timers.kind) of a district's purge: one per district, its subject the district.
RETENTION_TIMER = "retention"
# A district is purged once a day, and again at once while a pass leaves old rows behind.
RETENTION_EVERY = timedelta(days=1)
# How long a purger owns the district it took: far longer than a pass lasts, so a crashed
# purger's district comes due again after it, and a live one's never does.
RETENTION_LEASE = timedelta(minutes=10)
# The shortest age a setting accepts (see the module doc).
MIN_RETENTION = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    deliveries: timedelta = timedelta(days=90)
    read_inbox: timedelta = timedelta(days=180)
    webhook_messages: timedelta = timedelta(days=30)
    # Rows deleted by one statement (one short transaction), and statements per kind of row in
    # one pass: a backlog is worked off over several passes, each one bounded.
    batch: int = 5000
    batches_per_pass: int = 10
