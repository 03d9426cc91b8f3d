"""Identity's vocabulary and the validation rules a person's data must satisfy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import available_timezones

from civicgrid_platform.errors import InvalidInput

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
PHONE_RE = re.compile(r"^\+?[0-9]{6,15}$")
LOCALES = frozenset({"zh-CN", "en"})
MAX_USERNAME = 254


class PartyCategory(StrEnum):
    """The seed's five ways of managing party members."""

    DIRECT = "direct"
    DUAL = "dual"
    TAKEOVER = "takeover"
    FLOATING = "floating"
    FOCUSED = "focused"


class Channel(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    APP = "app"
    EMAIL = "email"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class Tenant:
    id: UUID
    slug: str
    name: str
    city: str
    timezone: str
    locale: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EmergencyContact:
    position: int
    name: str
    relation: str
    phone: str
    preferred_channel: Channel


def validate_slug(slug: str) -> str:
    if not SLUG_RE.fullmatch(slug):
        raise InvalidInput("use 3-63 lowercase letters, digits and dashes", field="slug")
    return slug


def validate_timezone(tz: str) -> str:
    if tz not in _timezones():
        raise InvalidInput(f"unknown IANA timezone {tz!r}", field="timezone")
    return tz


def validate_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise InvalidInput(f"supported locales: {', '.join(sorted(LOCALES))}", field="locale")
    return locale


def normalise_phone(phone: str, field: str = "phone") -> str:
    cleaned = re.sub(r"[\s\-()]", "", phone)
    if not PHONE_RE.match(cleaned):
        raise InvalidInput("a phone number has 6 to 15 digits, optionally after +", field=field)
    return cleaned


def normalise_username(username: str) -> str:
    """Login names are an email (case-folded) or a phone number (digits kept)."""
    username = username.strip()
    if "@" not in username:
        return normalise_phone(username, field="username")
    folded = username.lower()
    # Lower-casing can lengthen text ('İ' becomes two characters): check the length after it.
    if len(folded) > MAX_USERNAME:
        raise InvalidInput(f"at most {MAX_USERNAME} characters", field="username")
    return folded


def validate_password(password: str) -> None:
    if len(password) < 10 or len(password) > 256:
        raise InvalidInput("a password has 10 to 256 characters", field="password")


_tz_cache: frozenset[str] | None = None


def _timezones() -> frozenset[str]:
    global _tz_cache
    if _tz_cache is None:
        _tz_cache = frozenset(available_timezones())
    return _tz_cache
