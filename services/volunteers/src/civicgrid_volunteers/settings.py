"""Volunteers' settings: the platform base plus the defaults a district has not changed."""

from __future__ import annotations

from pydantic import Field

from civicgrid_platform.settings import PlatformSettings


class VolunteersSettings(PlatformSettings):
    service_name: str = "volunteers"
    http_port: int = Field(default=8004, ge=0, le=65535)
    grpc_port: int = Field(default=50064, ge=0, le=65535)
    # The zone a volunteer's weekly availability is read in until they set their own.
    default_timezone: str = "Asia/Shanghai"
    # How often the timers look for due offers, expiries, reminders and loan reminders.
    timers_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
