"""The one MetaData every notifications table joins (tables.py, tables_webhooks.py,
tables_alerts.py), with the platform's outbox, inbox, idempotency keys and timers."""

from __future__ import annotations

from sqlalchemy import MetaData

from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.http.idempotency.table import idempotency_table
from civicgrid_platform.timers import timers_table

metadata = MetaData()
outbox_table(metadata)
inbox_table(metadata)
idempotency_table(metadata)
timers = timers_table(metadata)
