"""A person's choices: which channels per category, quiet hours in their own zone, and which
categories they read as a daily digest. Urgent categories ignore all three."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from civicgrid_notifications.domain.channels import DEFAULT_CHANNELS, URGENT, Category, Channel


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From start to end in the person's zone; start > end spans midnight (22:00-07:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """When the quiet period holding `moment` ends (UTC-aware); None if it is not quiet."""
        local = moment.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return None
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(moment.tzinfo)


@dataclass(frozen=True, slots=True)
class Preferences:
    timezone: str
    locale: str
    quiet: QuietHours | None = None
    channels: Mapping[Category, tuple[Channel, ...]] = field(default_factory=dict)
    digest: frozenset[Category] = frozenset()

    def channels_for(self, category: Category) -> tuple[Channel, ...]:
        """The person's channels for a category; an urgent category always keeps its defaults
        and in-app, whatever was chosen (it cannot be switched off)."""
        chosen = self.channels.get(category)
        if category in URGENT:
            extra = tuple(c for c in (chosen or ()) if c not in DEFAULT_CHANNELS[category])
            return DEFAULT_CHANNELS[category] + extra
        return chosen if chosen is not None else DEFAULT_CHANNELS[category]

    def wants_digest(self, category: Category) -> bool:
        return category not in URGENT and category in self.digest

    def hold_until(self, category: Category, now: datetime) -> datetime | None:
        """When a message of this category may leave (None: now); urgent ones never wait."""
        if category in URGENT or self.quiet is None:
            return None
        return self.quiet.ends_after(now, ZoneInfo(self.timezone))


def parse_channels(raw: Mapping[str, Sequence[str]]) -> dict[Category, tuple[Channel, ...]]:
    """Stored channels (JSON) back to enums; unknown names were refused when saved."""
    return {Category(k): tuple(Channel(c) for c in v) for k, v in raw.items()}
