"""A person's notification preferences."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field


class QuietHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: time = Field(description="Local time quiet hours begin, e.g. 22:00.")
    end: time = Field(description="Local time they end, e.g. 07:00 (may be the next day).")


class PreferencesWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(
        default=None, max_length=64, description="IANA zone; default: the district's."
    )
    locale: str | None = Field(
        default=None, max_length=16, description="zh-CN or en; default: the district's."
    )
    quiet_hours: QuietHoursBody | None = None
    channels: dict[str, list[str]] = Field(
        default_factory=dict,
        max_length=16,
        description="Channels per category (inapp, email, sms, voice); a category left out "
        "keeps its defaults.",
    )
    digest_categories: list[str] = Field(default_factory=list, max_length=16)


class PreferencesRead(BaseModel):
    timezone: str
    locale: str
    quiet_hours: QuietHoursBody | None
    channels: dict[str, list[str]]
    digest_categories: list[str]
    # Categories that ignore quiet hours and cannot be switched off.
    urgent_categories: list[str]
