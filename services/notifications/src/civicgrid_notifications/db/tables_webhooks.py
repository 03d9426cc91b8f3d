"""Integrators' webhook subscriptions, their messages and attempts (being built)."""

from __future__ import annotations

TENANT_TABLES: tuple[str, ...] = ()
